// The diesel schema, kept by hand in step with `migrations/`. A mismatch fails the
// integration tests, which run every query against the migrated database.

diesel::table! {
    tenants (id) {
        id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
        pricing_url -> Nullable<Text>,
        invoice_grace_seconds -> Int4,
        invoice_due_days -> Int4,
        dunning_retry_days -> Array<Int4>,
        dunning_block_after_days -> Nullable<Int4>,
        dunning_cancel_after_days -> Nullable<Int4>,
        emails_off -> Array<Text>,
    }
}

diesel::table! {
    users (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        email -> Text,
        password_hash -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    secret_keys (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        name -> Text,
        prefix -> Text,
        key_hash -> Bytea,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    idempotency_keys (tenant_id, mode, key_digest) {
        tenant_id -> Uuid,
        mode -> Text,
        key_digest -> Bytea,
        request_digest -> Bytea,
        status -> Nullable<SmallInt>,
        response -> Nullable<Bytea>,
        locked_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(users -> tenants (tenant_id));
diesel::joinable!(secret_keys -> tenants (tenant_id));

diesel::allow_tables_to_appear_in_same_query!(tenants, users, secret_keys, idempotency_keys);

diesel::table! {
    features (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        key -> Text,
        name -> Text,
        kind -> Text,
        unit -> Nullable<Text>,
        aggregation -> Nullable<Text>,
        property -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    plans (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        key -> Text,
        latest_version -> Int4,
        archived_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    plan_versions (tenant_id, mode, plan_id, version) {
        tenant_id -> Uuid,
        mode -> Text,
        plan_id -> Uuid,
        version -> Int4,
        name -> Text,
        currency -> Text,
        interval -> Text,
        interval_count -> Int4,
        amount -> Numeric,
        billing -> Text,
        trial_days -> Int4,
        entitlements -> Jsonb,
        charges -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    customers (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        email -> Text,
        name -> Nullable<Text>,
        external_id -> Nullable<Text>,
        metadata -> Jsonb,
        tax_rate -> Nullable<Numeric>,
        created_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        billed_through -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    subscriptions (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        customer_id -> Uuid,
        plan_id -> Uuid,
        plan_version -> Int4,
        status -> Text,
        billing_anchor -> Timestamptz,
        current_period_start -> Timestamptz,
        current_period_end -> Timestamptz,
        trial_end -> Nullable<Timestamptz>,
        cancel_at_period_end -> Bool,
        canceled_at -> Nullable<Timestamptz>,
        ended_at -> Nullable<Timestamptz>,
        pending_plan_id -> Nullable<Uuid>,
        pending_plan_version -> Nullable<Int4>,
        created_at -> Timestamptz,
        segment_start -> Timestamptz,
        payment_blocked_at -> Nullable<Timestamptz>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(features, plans, plan_versions, customers, subscriptions, tenants);

diesel::table! {
    api_keys (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        customer_id -> Uuid,
        name -> Nullable<Text>,
        prefix -> Text,
        last4 -> Text,
        key_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    usage_events (tenant_id, mode, event_id) {
        tenant_id -> Uuid,
        mode -> Text,
        event_id -> Text,
        customer_id -> Uuid,
        feature -> Text,
        quantity -> Numeric,
        occurred_at -> Timestamptz,
        properties -> Nullable<Jsonb>,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    usage_counters (tenant_id, mode, customer_id, feature, window_start) {
        tenant_id -> Uuid,
        mode -> Text,
        customer_id -> Uuid,
        feature -> Text,
        window_start -> Timestamptz,
        used -> Numeric,
        charge_limit -> Nullable<Numeric>,
    }
}

diesel::table! {
    usage_counter_shares (tenant_id, mode, customer_id, feature, window_start, share) {
        tenant_id -> Uuid,
        mode -> Text,
        customer_id -> Uuid,
        feature -> Text,
        window_start -> Timestamptz,
        share -> SmallInt,
        used -> Numeric,
    }
}

diesel::allow_tables_to_appear_in_same_query!(api_keys, customers, usage_events, usage_counters, usage_counter_shares);

diesel::table! {
    test_clocks (tenant_id) {
        tenant_id -> Uuid,
        updated_at -> Timestamptz,
        frozen_at -> Timestamptz,
        advancing_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    jobs (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        mode -> Text,
        kind -> Text,
        subject -> Text,
        priority -> Int2,
        run_at -> Timestamptz,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        done_at -> Nullable<Timestamptz>,
        failed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        leased_until -> Nullable<Timestamptz>,
        wall_clock -> Bool,
    }
}

diesel::table! {
    invoices (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        customer_id -> Uuid,
        subscription_id -> Nullable<Uuid>,
        number -> Nullable<Text>,
        status -> Text,
        reason -> Text,
        currency -> Text,
        period_start -> Timestamptz,
        period_end -> Timestamptz,
        usage_plan_id -> Nullable<Uuid>,
        usage_plan_version -> Nullable<Int4>,
        usage_from -> Nullable<Timestamptz>,
        usage_to -> Nullable<Timestamptz>,
        tax_rate -> Nullable<Numeric>,
        subtotal -> Numeric,
        tax -> Numeric,
        total -> Numeric,
        credit_applied -> Numeric,
        amount_due -> Numeric,
        created_at -> Timestamptz,
        finalize_at -> Nullable<Timestamptz>,
        issued_at -> Nullable<Timestamptz>,
        due_at -> Nullable<Timestamptz>,
        paid_at -> Nullable<Timestamptz>,
        voided_at -> Nullable<Timestamptz>,
        amount_paid -> Numeric,
        attempt_count -> Int4,
        next_payment_attempt -> Nullable<Timestamptz>,
        payment_failed_at -> Nullable<Timestamptz>,
        amount_credited -> Numeric,
    }
}

diesel::table! {
    invoice_lines (tenant_id, mode, invoice_id, position) {
        tenant_id -> Uuid,
        mode -> Text,
        invoice_id -> Uuid,
        position -> Int4,
        kind -> Text,
        description -> Text,
        feature -> Nullable<Text>,
        quantity -> Numeric,
        unit_amount -> Nullable<Numeric>,
        amount -> Numeric,
        tiers -> Nullable<Jsonb>,
        period_start -> Timestamptz,
        period_end -> Timestamptz,
    }
}

diesel::table! {
    customer_balances (tenant_id, mode, customer_id, currency) {
        tenant_id -> Uuid,
        mode -> Text,
        customer_id -> Uuid,
        currency -> Text,
        credit -> Numeric,
    }
}

diesel::table! {
    stripe_accounts (tenant_id, mode) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        stripe_account -> Text,
        livemode -> Bool,
        api_key_sealed -> Bytea,
        api_key_hint -> Text,
        connect_account -> Nullable<Text>,
        webhook_endpoint -> Text,
        webhook_secret_sealed -> Bytea,
        webhook_api_version -> Text,
        connected_at -> Timestamptz,
    }
}

diesel::table! {
    stripe_customers (tenant_id, mode, customer_id, stripe_account) {
        tenant_id -> Uuid,
        mode -> Text,
        customer_id -> Uuid,
        stripe_account -> Text,
        stripe_customer -> Text,
        pm_id -> Nullable<Text>,
        pm_brand -> Nullable<Text>,
        pm_last4 -> Nullable<Text>,
        pm_exp_month -> Nullable<Int4>,
        pm_exp_year -> Nullable<Int4>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    payments (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        invoice_id -> Uuid,
        customer_id -> Uuid,
        stripe_account -> Text,
        amount -> Numeric,
        currency -> Text,
        status -> Text,
        payment_method -> Nullable<Text>,
        stripe_payment_intent -> Nullable<Text>,
        failure_code -> Nullable<Text>,
        failure_message -> Nullable<Text>,
        hard_decline -> Bool,
        dispute_status -> Nullable<Text>,
        dispute_reason -> Nullable<Text>,
        sent_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    stripe_events (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Text,
        #[sql_name = "type"]
        type_ -> Text,
        object_id -> Nullable<Text>,
        livemode -> Bool,
        payload -> Jsonb,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    credit_notes (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        seq -> Int8,
        number -> Text,
        invoice_id -> Uuid,
        customer_id -> Uuid,
        amount -> Numeric,
        currency -> Text,
        reason -> Text,
        applied_to -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    refunds (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        credit_note_id -> Uuid,
        payment_id -> Uuid,
        amount -> Numeric,
        currency -> Text,
        status -> Text,
        stripe_refund -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    stripe_accounts,
    stripe_customers,
    payments,
    invoices,
    customers,
    credit_notes,
    refunds
);

diesel::table! {
    webhook_endpoints (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        url -> Text,
        events -> Array<Text>,
        description -> Nullable<Text>,
        status -> Text,
        disabled_reason -> Nullable<Text>,
        secret_sealed -> Bytea,
        previous_secret_sealed -> Nullable<Bytea>,
        previous_secret_expires_at -> Nullable<Timestamptz>,
        failing_since -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    events (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        #[sql_name = "type"]
        type_ -> Text,
        created_at -> Timestamptz,
        payload -> Jsonb,
    }
}

diesel::table! {
    webhook_deliveries (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        event_id -> Uuid,
        endpoint_id -> Uuid,
        attempt -> Int4,
        status_code -> Nullable<Int4>,
        duration_ms -> Int4,
        error -> Nullable<Text>,
        created_at -> Timestamptz,
        next_attempt_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    usage_thresholds (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        customer_id -> Uuid,
        feature -> Text,
        window_start -> Timestamptz,
        threshold -> Int2,
        used -> Numeric,
        limit -> Numeric,
        resets_at -> Nullable<Timestamptz>,
        reached_at -> Timestamptz,
    }
}

diesel::table! {
    subscription_changes (tenant_id, mode, seq) {
        tenant_id -> Uuid,
        mode -> Text,
        seq -> Int8,
        subscription_id -> Uuid,
        customer_id -> Uuid,
        at -> Timestamptz,
        status -> Text,
        plan_id -> Uuid,
        plan_version -> Int4,
        currency -> Text,
        mrr -> Numeric,
    }
}

diesel::table! {
    dashboard_sessions (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        user_id -> Uuid,
        cookie_hash -> Bytea,
        mode -> Text,
        last_seen_at -> Timestamptz,
        created_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    portal_form_uses (session_id, form_id) {
        session_id -> Uuid,
        form_id -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    portal_sessions (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        customer_id -> Uuid,
        return_url -> Nullable<Text>,
        link_hash -> Bytea,
        link_expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        cookie_hash -> Nullable<Bytea>,
        last_seen_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(webhook_endpoints, events, webhook_deliveries);
