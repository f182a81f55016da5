//! Builders for the Stripe-shaped JSON objects. Fields follow Stripe's API reference; every field
//! async-stripe requires is present (null where Stripe would say null).

use serde_json::{json, Value};

use crate::state::{new_id, now, random};

/// What a test card does when charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Succeed,
    /// Declined with this decline_code.
    Decline(&'static str),
    /// 3-D Secure needed.
    Authenticate,
}

/// Stripe's magic test PaymentMethod ids: (id, brand, last4, attachable).
const TEST_CARDS: &[(&str, &str, &str, bool)] = &[
    ("pm_card_visa", "visa", "4242", true),
    ("pm_card_mastercard", "mastercard", "4444", true),
    ("pm_card_chargeDeclined", "visa", "0002", false),
    ("pm_card_chargeCustomerFail", "visa", "0341", true),
    ("pm_card_chargeDeclinedInsufficientFunds", "visa", "9995", true),
    ("pm_card_chargeDeclinedLostCard", "visa", "9987", true),
    ("pm_card_chargeDeclinedStolenCard", "visa", "9979", true),
    ("pm_card_authenticationRequired", "visa", "3155", true),
];

pub struct TestCard {
    pub brand: &'static str,
    pub last4: &'static str,
    pub attachable: bool,
}

pub fn test_card(id: &str) -> Option<TestCard> {
    TEST_CARDS.iter().find(|(magic, ..)| *magic == id).map(|&(_, brand, last4, attachable)| TestCard {
        brand,
        last4,
        attachable,
    })
}

/// The card's behaviour follows its number, as with Stripe's test cards.
pub fn behaviour(payment_method: &Value) -> Behaviour {
    match payment_method["card"]["last4"].as_str().unwrap_or_default() {
        "0002" | "0341" => Behaviour::Decline("generic_decline"),
        "9995" => Behaviour::Decline("insufficient_funds"),
        "9987" => Behaviour::Decline("lost_card"),
        "9979" => Behaviour::Decline("stolen_card"),
        "3155" => Behaviour::Authenticate,
        _ => Behaviour::Succeed,
    }
}

pub fn decline_message(decline_code: &str) -> &'static str {
    match decline_code {
        "insufficient_funds" => "Your card has insufficient funds.",
        // Stripe keeps lost/stolen from the customer: the message stays generic.
        _ => "Your card was declined.",
    }
}

pub fn list(url: &str, data: Vec<Value>, has_more: bool) -> Value {
    json!({ "object": "list", "data": data, "has_more": has_more, "url": url })
}

pub fn address() -> Value {
    json!({ "city": null, "country": null, "line1": null, "line2": null, "postal_code": null, "state": null })
}

/// Adds fields Stripe sends as null where the fake has nothing to say (kept out of the literals
/// below so those show what the fake does fill in).
fn with_nulls(mut object: Value, fields: &str) -> Value {
    if let Some(map) = object.as_object_mut() {
        for field in fields.split_whitespace() {
            map.insert(field.to_owned(), Value::Null);
        }
    }
    object
}

pub fn account(id: &str, livemode: bool) -> Value {
    json!({
        "id": id,
        "object": "account",
        "business_profile": {
            "mcc": null, "name": "Fake Stripe test account", "product_description": null,
            "support_address": null, "support_email": null, "support_phone": null, "support_url": null, "url": null,
        },
        "business_type": "company",
        "capabilities": { "card_payments": "active", "transfers": "active" },
        "charges_enabled": true,
        "country": "US",
        "created": now(),
        "default_currency": "usd",
        "details_submitted": true,
        "email": format!("{}@example.com", id.to_lowercase()),
        "livemode": livemode,
        "metadata": {},
        "payouts_enabled": true,
        "type": "standard",
    })
}

pub fn customer(livemode: bool) -> Value {
    let object = json!({
        "id": new_id("cus"),
        "object": "customer",
        "balance": 0,
        "created": now(),
        "delinquent": false,
        "invoice_prefix": random(8).to_uppercase(),
        "invoice_settings": { "custom_fields": null, "default_payment_method": null, "footer": null, "rendering_options": null },
        "livemode": livemode,
        "metadata": {},
        "next_invoice_sequence": 1,
        "preferred_locales": [],
        "tax_exempt": "none",
    });
    with_nulls(object, "address currency default_source description discount email name phone shipping test_clock")
}

pub fn payment_method(card: &TestCard, customer: Option<&str>, livemode: bool) -> Value {
    json!({
        "id": new_id("pm"),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": { "address": address(), "email": null, "name": null, "phone": null, "tax_id": null },
        "card": {
            "brand": card.brand,
            "checks": { "address_line1_check": null, "address_postal_code_check": null, "cvc_check": "unchecked" },
            "country": "US",
            "display_brand": card.brand,
            "exp_month": 12,
            "exp_year": 2034,
            // Same card number, same fingerprint, as with Stripe.
            "fingerprint": format!("fp{}{}", card.brand, card.last4),
            "funding": "credit",
            "generated_from": null,
            "last4": card.last4,
            "networks": { "available": [card.brand], "preferred": null },
            "regulated_status": "unregulated",
            "three_d_secure_usage": { "supported": true },
            "wallet": null,
        },
        "created": now(),
        "customer": customer,
        "livemode": livemode,
        "metadata": {},
        "type": "card",
    })
}

pub struct NewPaymentIntent {
    pub amount: i64,
    pub currency: String,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub metadata: Value,
    pub payment_method_types: Option<Vec<String>>,
    pub setup_future_usage: Option<String>,
    pub receipt_email: Option<String>,
    pub livemode: bool,
}

pub fn payment_intent(p: NewPaymentIntent) -> Value {
    let id = new_id("pi");
    // Without explicit types Stripe uses the Dashboard's payment methods (automatic_payment_methods).
    let automatic = if p.payment_method_types.is_none() {
        json!({ "allow_redirects": "always", "enabled": true })
    } else {
        Value::Null
    };
    let object = json!({
        "id": id,
        "object": "payment_intent",
        "allowed_payment_method_types": p.payment_method_types,
        "amount": p.amount,
        "amount_capturable": 0,
        "amount_details": { "tip": {} },
        "amount_received": 0,
        "automatic_payment_methods": automatic,
        "capture_method": "automatic",
        "client_secret": format!("{id}_secret_{}", random(25)),
        "confirmation_method": "automatic",
        "created": now(),
        "currency": p.currency,
        "customer": p.customer,
        "description": p.description,
        "livemode": p.livemode,
        "metadata": p.metadata,
        "payment_method_options": { "card": { "installments": null, "mandate_options": null, "network": null, "request_three_d_secure": "automatic" } },
        "payment_method_types": p.payment_method_types.unwrap_or_else(|| vec!["card".into()]),
        "receipt_email": p.receipt_email,
        "setup_future_usage": p.setup_future_usage,
        "status": "requires_payment_method",
    });
    with_nulls(
        object,
        "application application_fee_amount canceled_at cancellation_reason \
         excluded_payment_method_types last_payment_error latest_charge next_action on_behalf_of \
         payment_method payment_method_configuration_details processing review shipping source \
         statement_descriptor statement_descriptor_suffix transfer_data transfer_group",
    )
}

/// A charge for a confirmed PaymentIntent: succeeded, or failed with a decline code.
pub fn charge(intent: &Value, payment_method: &Value, decline: Option<&str>) -> Value {
    let amount = intent["amount"].as_i64().unwrap_or(0);
    let card = &payment_method["card"];
    let (status, outcome) = match decline {
        None => (
            "succeeded",
            json!({ "advice_code": null, "network_advice_code": null, "network_decline_code": null,
                    "network_status": "approved_by_network", "reason": null, "risk_level": "normal", "risk_score": 32,
                    "seller_message": "Payment complete.", "type": "authorized" }),
        ),
        Some(code) => (
            "failed",
            json!({ "advice_code": if code == "generic_decline" { json!("try_again_later") } else { json!("do_not_try_again") },
                    "network_advice_code": null, "network_decline_code": null, "network_status": "declined_by_network",
                    "reason": code, "risk_level": "normal", "risk_score": 32,
                    "seller_message": "The bank did not return any further details with this decline.", "type": "issuer_declined" }),
        ),
    };
    let ok = decline.is_none();
    let object = json!({
        "id": new_id("ch"),
        "object": "charge",
        "amount": amount,
        "amount_captured": if ok { amount } else { 0 },
        "amount_refunded": 0,
        "balance_transaction": if ok { json!(new_id("txn")) } else { Value::Null },
        "billing_details": payment_method["billing_details"],
        "calculated_statement_descriptor": "FAKE STRIPE",
        "captured": ok,
        "created": now(),
        "currency": intent["currency"],
        "customer": intent["customer"],
        "description": intent["description"],
        "disputed": false,
        "failure_code": decline.map(|_| "card_declined"),
        "failure_message": decline.map(decline_message),
        "fraud_details": {},
        "livemode": intent["livemode"],
        "metadata": intent["metadata"],
        "outcome": outcome,
        "paid": ok,
        "payment_intent": intent["id"],
        "payment_method": payment_method["id"],
        "payment_method_details": {
            "card": {
                "amount_authorized": if ok { json!(amount) } else { Value::Null },
                "authorization_code": null,
                "brand": card["brand"],
                "checks": card["checks"],
                "country": card["country"],
                "exp_month": card["exp_month"],
                "exp_year": card["exp_year"],
                "fingerprint": card["fingerprint"],
                "funding": card["funding"],
                "last4": card["last4"],
                "mandate": null,
                "network": card["brand"],
                "network_transaction_id": null,
                "regulated_status": "unregulated",
                "three_d_secure": null,
                "wallet": null,
            },
            "type": "card",
        },
        "receipt_email": intent["receipt_email"],
        "refunded": false,
        "status": status,
    });
    with_nulls(
        object,
        "application application_fee application_fee_amount failure_balance_transaction on_behalf_of \
         receipt_number receipt_url review shipping source source_transfer statement_descriptor \
         statement_descriptor_suffix transfer_data transfer_group",
    )
}

pub fn refund(charge: &Value, amount: i64, reason: Option<String>, metadata: Value) -> Value {
    let object = json!({
        "id": new_id("re"),
        "object": "refund",
        "amount": amount,
        "balance_transaction": new_id("txn"),
        "charge": charge["id"],
        "created": now(),
        "currency": charge["currency"],
        "customer": charge["customer"],
        "destination_details": {
            "card": { "reference": null, "reference_status": "pending", "reference_type": "acquirer_reference_number", "type": "refund" },
            "type": "card",
        },
        "metadata": metadata,
        "payment_intent": charge["payment_intent"],
        "payment_method": charge["payment_method"],
        "reason": reason,
        "status": "succeeded",
    });
    with_nulls(object, "description receipt_number source_transfer_reversal transfer_reversal")
}

pub fn setup_intent(customer: &Value, payment_method: &str, data: &Value, livemode: bool) -> Value {
    let id = new_id("seti");
    let object = json!({
        "id": id,
        "object": "setup_intent",
        "client_secret": format!("{id}_secret_{}", random(25)),
        "created": now(),
        "customer": customer,
        "description": data.get("description").cloned().unwrap_or(Value::Null),
        "latest_attempt": new_id("setatt"),
        "livemode": livemode,
        "metadata": data.get("metadata").cloned().unwrap_or_else(|| json!({})),
        "payment_method": payment_method,
        "payment_method_options": { "card": { "mandate_options": null, "network": null, "request_three_d_secure": "automatic" } },
        "payment_method_types": ["card"],
        "status": "succeeded",
        "usage": "off_session",
    });
    with_nulls(
        object,
        "application automatic_payment_methods cancellation_reason flow_directions last_setup_error \
         mandate next_action on_behalf_of payment_method_configuration_details single_use_mandate",
    )
}

pub struct NewSession {
    pub customer: Option<String>,
    pub customer_email: Option<String>,
    pub currency: Option<String>,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
    pub client_reference_id: Option<String>,
    pub allowed_payment_method_types: Option<Vec<String>>,
    pub metadata: Value,
    pub livemode: bool,
    pub base_url: String,
}

pub fn checkout_session(p: NewSession) -> Value {
    let id = format!("cs_{}_{}", if p.livemode { "live" } else { "test" }, random(58));
    let created = now();
    let object = json!({
        "id": id,
        "object": "checkout.session",
        "allowed_payment_method_types": p.allowed_payment_method_types,
        "automatic_tax": { "enabled": false, "liability": null, "provider": null, "status": null },
        "cancel_url": p.cancel_url,
        "client_reference_id": p.client_reference_id,
        "created": created,
        "currency": p.currency,
        "custom_fields": [],
        "custom_text": { "after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null },
        "customer": p.customer,
        "customer_email": p.customer_email,
        "expires_at": created + 24 * 3600,
        "livemode": p.livemode,
        "metadata": p.metadata,
        "mode": "setup",
        "payment_method_collection": "always",
        "payment_method_options": {},
        "payment_method_types": p.allowed_payment_method_types.unwrap_or_else(|| vec!["card".into()]),
        "payment_status": "no_payment_required",
        "phone_number_collection": { "enabled": false },
        "shipping_options": [],
        "status": "open",
        "success_url": p.success_url,
        "ui_mode": "hosted",
        "url": format!("{}checkout/{id}", p.base_url),
    });
    with_nulls(
        object,
        "adaptive_pricing after_expiration allow_promotion_codes amount_subtotal amount_total \
         billing_address_collection client_secret consent consent_collection customer_creation \
         customer_details invoice invoice_creation locale payment_intent payment_link \
         payment_method_configuration_details recovered_from saved_payment_method_options setup_intent \
         shipping_address_collection shipping_cost submit_type subscription total_details wallet_options",
    )
}

pub fn dispute(charge: &Value) -> Value {
    let evidence_fields = [
        "access_activity_log",
        "billing_address",
        "cancellation_policy",
        "cancellation_policy_disclosure",
        "cancellation_rebuttal",
        "customer_communication",
        "customer_email_address",
        "customer_name",
        "customer_purchase_ip",
        "customer_signature",
        "duplicate_charge_documentation",
        "duplicate_charge_explanation",
        "duplicate_charge_id",
        "product_description",
        "receipt",
        "refund_policy",
        "refund_policy_disclosure",
        "refund_refusal_explanation",
        "service_date",
        "service_documentation",
        "shipping_address",
        "shipping_carrier",
        "shipping_date",
        "shipping_documentation",
        "shipping_tracking_number",
        "uncategorized_file",
        "uncategorized_text",
    ];
    let mut evidence: serde_json::Map<String, Value> =
        evidence_fields.iter().map(|f| (f.to_string(), Value::Null)).collect();
    evidence.insert("enhanced_evidence".into(), json!({}));
    let brand = &charge["payment_method_details"]["card"]["brand"];
    let amount = charge["amount"].as_i64().unwrap_or(0) - charge["amount_refunded"].as_i64().unwrap_or(0);
    json!({
        "id": new_id("dp"),
        "object": "dispute",
        "amount": amount,
        "balance_transactions": [],
        "charge": charge["id"],
        "created": now(),
        "currency": charge["currency"],
        "enhanced_eligibility_types": [],
        "evidence": evidence,
        "evidence_details": { "due_by": now() + 21 * 24 * 3600, "enhanced_eligibility": {}, "has_evidence": false, "past_due": false, "submission_count": 0 },
        "is_charge_refundable": false,
        "livemode": charge["livemode"],
        "metadata": {},
        "network_reason_code": "10.4",
        "payment_intent": charge["payment_intent"],
        "payment_method_details": { "card": { "brand": brand, "case_type": "chargeback", "network_reason_code": "10.4", "network": brand }, "type": "card" },
        "reason": "fraudulent",
        "status": "needs_response",
    })
}

pub fn webhook_endpoint(
    url: &str,
    events: Vec<String>,
    api_version: Option<String>,
    description: Option<String>,
    metadata: Value,
    livemode: bool,
) -> Value {
    let object = json!({
        "id": new_id("we"),
        "object": "webhook_endpoint",
        "api_version": api_version,
        "created": now(),
        "description": description,
        "enabled_events": events,
        "livemode": livemode,
        "metadata": metadata,
        "status": "enabled",
        "url": url,
    });
    with_nulls(object, "application")
}
