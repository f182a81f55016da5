//! The endpoints: each validates like Stripe, changes the account's objects, and emits events.

use serde_json::{json, Map, Value};

use crate::objects::{self, behaviour, decline_message, test_card, Behaviour, NewPaymentIntent, NewSession};
use crate::state::{random, AccountData, ApiError, Ctx};

type Res = Result<Value, ApiError>;

pub fn route(ctx: &mut Ctx, method: &str, path: &str, p: &Value) -> Res {
    let segments: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
    let mut result = match (method, segments.as_slice()) {
        ("GET", ["account"]) => Ok(ctx.acct().account.clone()),
        ("POST", ["webhook_endpoints"]) => create_webhook_endpoint(ctx, p),
        ("GET", ["webhook_endpoints"]) => paginate(newest_first(ctx.acct(), "webhook_endpoint"), p, "/v1/webhook_endpoints"),
        ("GET", ["webhook_endpoints", id]) => found(ctx, "webhook_endpoint", id, "webhook endpoint"),
        ("DELETE", ["webhook_endpoints", id]) => delete_webhook_endpoint(ctx, id),
        ("POST", ["customers"]) => create_customer(ctx, p),
        ("GET", ["customers", id]) => found(ctx, "customer", id, "customer"),
        ("POST", ["customers", id]) => update_customer(ctx, id, p),
        ("GET", ["payment_methods"]) => list_payment_methods(ctx, p),
        ("GET", ["payment_methods", id]) => found(ctx, "payment_method", id, "PaymentMethod"),
        ("POST", ["payment_methods", id, "attach"]) => attach(ctx, id, p),
        ("POST", ["payment_methods", id, "detach"]) => detach(ctx, id),
        ("POST", ["payment_intents"]) => create_payment_intent(ctx, p),
        ("GET", ["payment_intents"]) => list_payment_intents(ctx, p),
        ("GET", ["payment_intents", "search"]) => search_payment_intents(ctx, p),
        ("GET", ["payment_intents", id]) => found(ctx, "payment_intent", id, "payment_intent"),
        ("POST", ["payment_intents", id, "cancel"]) => cancel_payment_intent(ctx, id, p),
        ("POST", ["refunds"]) => create_refund(ctx, p),
        ("GET", ["refunds", id]) => found(ctx, "refund", id, "refund"),
        ("POST", ["checkout", "sessions"]) => create_session(ctx, p),
        ("GET", ["checkout", "sessions", id]) => found(ctx, "checkout.session", id, "checkout.session"),
        ("GET", ["setup_intents", id]) => found(ctx, "setup_intent", id, "setupintent"),
        ("GET", ["disputes", id]) => found(ctx, "dispute", id, "dispute"),
        ("GET", ["charges", id]) => found(ctx, "charge", id, "charge"),
        ("GET", ["events"]) => list_events(ctx, p),
        ("GET", ["events", id]) => {
            let event = ctx.acct().events.iter().find(|e| e["id"] == *id).cloned();
            event.ok_or_else(|| ApiError::not_found("event", id))
        }
        _ => Err(ApiError::new(
            404,
            "invalid_request_error",
            None,
            &format!("Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."),
            None,
        )),
    };
    if let Ok(value) = &mut result {
        for path in strings(p, "expand") {
            expand(ctx.acct(), value, &path);
        }
    }
    result
}

// ---- parameters -------------------------------------------------------------------------------

/// A non-empty string parameter (Stripe treats an empty value as absent or "unset").
fn s(p: &Value, key: &str) -> Option<String> {
    p.get(key).and_then(Value::as_str).filter(|v| !v.is_empty()).map(str::to_owned)
}

fn int(p: &Value, key: &str) -> Result<Option<i64>, ApiError> {
    match s(p, key) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ApiError::invalid(Some("parameter_invalid_integer"), &format!("Invalid integer: {v}"), Some(key))
        }),
    }
}

fn boolean(p: &Value, key: &str) -> Result<bool, ApiError> {
    match s(p, key).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(v) => Err(ApiError::invalid(None, &format!("Invalid boolean: {v}"), Some(key))),
    }
}

/// An array parameter (`k[]=a`, `k[0]=a`), or a lone value.
fn strings(p: &Value, key: &str) -> Vec<String> {
    match p.get(key) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Some(Value::String(v)) if !v.is_empty() => vec![v.clone()],
        _ => Vec::new(),
    }
}

/// The payment method types asked for: `allowed_payment_method_types` since API version
/// 2026-09-30 (what async-stripe sends), `payment_method_types` before.
fn allowed_types(p: &Value) -> Option<Vec<String>> {
    let types = strings(p, "allowed_payment_method_types");
    Some(if types.is_empty() { strings(p, "payment_method_types") } else { types }).filter(|t| !t.is_empty())
}

/// `metadata[k]=v` as a JSON object; empty values are dropped (they mean "unset").
fn metadata(p: &Value) -> Value {
    let mut out = Map::new();
    if let Some(map) = p.get("metadata").and_then(Value::as_object) {
        for (k, v) in map {
            if let Some(v) = v.as_str().filter(|v| !v.is_empty()) {
                out.insert(k.clone(), json!(v));
            }
        }
    }
    Value::Object(out)
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

// ---- shared helpers ---------------------------------------------------------------------------

fn found(ctx: &mut Ctx, kind: &str, id: &str, name: &str) -> Res {
    ctx.acct().find(kind, id).ok_or_else(|| ApiError::not_found(name, id))
}

fn newest_first(acct: &AccountData, kind: &str) -> Vec<Value> {
    let mut items = acct.list(kind);
    items.reverse();
    items
}

/// Cursor pagination over newest-first items: limit (1..=100, default 10), starting_after, ending_before.
fn paginate(mut items: Vec<Value>, p: &Value, url: &str) -> Res {
    let limit = int(p, "limit")?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid(
            Some("parameter_invalid_integer"),
            "This value must be greater than or equal to 1 and less than or equal to 100.",
            Some("limit"),
        ));
    }
    let limit = limit as usize;
    let position = |items: &[Value], key: &str| -> Result<Option<usize>, ApiError> {
        let Some(id) = s(p, key) else { return Ok(None) };
        let kind = url.trim_start_matches("/v1/").trim_end_matches('s');
        items.iter().position(|i| i["id"] == *id).map(Some).ok_or_else(|| ApiError::no_such(kind, &id, key))
    };
    if let Some(at) = position(&items, "starting_after")? {
        items.drain(..=at);
    } else if let Some(at) = position(&items, "ending_before")? {
        items.truncate(at);
        let skip = items.len().saturating_sub(limit);
        let has_more = skip > 0;
        return Ok(objects::list(url, items.split_off(skip), has_more));
    }
    let has_more = items.len() > limit;
    items.truncate(limit);
    Ok(objects::list(url, items, has_more))
}

/// `expand[]=latest_charge`, `expand[]=data.customer`: swaps ids for the objects they name.
fn expand(acct: &AccountData, value: &mut Value, path: &str) {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    if head == "data" && value["object"].as_str().is_some_and(|o| o == "list" || o == "search_result") {
        if let (Some(items), Some(rest)) = (value["data"].as_array_mut(), rest) {
            items.iter_mut().for_each(|item| expand(acct, item, rest));
        }
        return;
    }
    let Some(field) = value.get_mut(head) else { return };
    if let Some(object) = field.as_str().and_then(|id| acct.get(id)) {
        *field = object.clone();
    }
    if let Some(rest) = rest {
        expand(acct, field, rest);
    }
}

fn card_error(code: &str, decline_code: &str, message: &str) -> ApiError {
    ApiError::new(402, "card_error", Some(code), message, None).with("decline_code", json!(decline_code))
}

// ---- webhook endpoints ------------------------------------------------------------------------

fn create_webhook_endpoint(ctx: &mut Ctx, p: &Value) -> Res {
    let url = s(p, "url").ok_or_else(|| ApiError::missing_param("url"))?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ApiError::invalid(Some("url_invalid"), &format!("Invalid URL: {url}"), Some("url")));
    }
    let events = strings(p, "enabled_events");
    if events.is_empty() {
        return Err(ApiError::missing_param("enabled_events"));
    }
    let livemode = ctx.livemode();
    let endpoint =
        objects::webhook_endpoint(&url, events, s(p, "api_version"), s(p, "description"), metadata(p), livemode);
    let secret = format!("whsec_{}", random(32));
    let acct = ctx.acct();
    acct.hidden.insert(str_of(&endpoint["id"]), json!({ "secret": secret }));
    acct.put(endpoint.clone());
    let mut shown = endpoint;
    shown["secret"] = json!(secret);
    Ok(shown)
}

fn delete_webhook_endpoint(ctx: &mut Ctx, id: &str) -> Res {
    found(ctx, "webhook_endpoint", id, "webhook endpoint")?;
    let acct = ctx.acct();
    acct.objects.retain(|o| o["id"] != id);
    acct.hidden.remove(id);
    Ok(json!({ "id": id, "object": "webhook_endpoint", "deleted": true }))
}

// ---- customers --------------------------------------------------------------------------------

fn create_customer(ctx: &mut Ctx, p: &Value) -> Res {
    let mut customer = objects::customer(ctx.livemode());
    for key in ["email", "name", "description", "phone"] {
        if let Some(v) = s(p, key) {
            customer[key] = json!(v);
        }
    }
    customer["metadata"] = metadata(p);
    ctx.acct().put(customer.clone());
    ctx.emit("customer.created", &customer, None);
    Ok(customer)
}

fn update_customer(ctx: &mut Ctx, id: &str, p: &Value) -> Res {
    let mut customer = found(ctx, "customer", id, "customer")?;
    let mut previous = Map::new();
    for key in ["email", "name", "description", "phone"] {
        if p.get(key).is_some() {
            let new = s(p, key).map_or(Value::Null, Value::from);
            if customer[key] != new {
                previous.insert(key.into(), std::mem::replace(&mut customer[key], new));
            }
        }
    }
    match p.get("metadata") {
        Some(Value::Object(changes)) => {
            let mut old = Map::new();
            for (k, v) in changes {
                let before = customer["metadata"].get(k).cloned().unwrap_or(Value::Null);
                let after = v.as_str().filter(|v| !v.is_empty()).map_or(Value::Null, Value::from);
                if before != after {
                    old.insert(k.clone(), before);
                    if let Some(meta) = customer["metadata"].as_object_mut() {
                        if after.is_null() {
                            meta.remove(k);
                        } else {
                            meta.insert(k.clone(), after);
                        }
                    }
                }
            }
            if !old.is_empty() {
                previous.insert("metadata".into(), Value::Object(old));
            }
        }
        Some(Value::String(v)) if v.is_empty() && customer["metadata"] != json!({}) => {
            previous.insert("metadata".into(), std::mem::replace(&mut customer["metadata"], json!({})));
        }
        _ => {}
    }
    if let Some(default) = p.get("invoice_settings").and_then(|i| i.get("default_payment_method")) {
        let new = match default.as_str().filter(|v| !v.is_empty()) {
            None => Value::Null,
            Some(pm) => {
                let attached = ctx.acct().find("payment_method", pm).is_some_and(|m| m["customer"] == id);
                if !attached {
                    return Err(ApiError::invalid(
                        Some("resource_missing"),
                        &format!("The customer does not have a payment method with the ID {pm}. The payment method must be attached to the customer."),
                        Some("invoice_settings[default_payment_method]"),
                    ));
                }
                json!(pm)
            }
        };
        let settings = &mut customer["invoice_settings"];
        if settings["default_payment_method"] != new {
            let old = std::mem::replace(&mut settings["default_payment_method"], new);
            previous.insert("invoice_settings".into(), json!({ "default_payment_method": old }));
        }
    }
    ctx.acct().put(customer.clone());
    if !previous.is_empty() {
        ctx.emit("customer.updated", &customer, Some(Value::Object(previous)));
    }
    Ok(customer)
}

// ---- payment methods --------------------------------------------------------------------------

fn attach(ctx: &mut Ctx, id: &str, p: &Value) -> Res {
    let customer = s(p, "customer").ok_or_else(|| ApiError::missing_param("customer"))?;
    if ctx.acct().find("customer", &customer).is_none() {
        return Err(ApiError::no_such("customer", &customer, "customer"));
    }
    let livemode = ctx.livemode();
    let mut pm = match test_card(id) {
        Some(card) if !card.attachable => {
            return Err(card_error("card_declined", "generic_decline", decline_message("generic_decline")));
        }
        Some(card) => objects::payment_method(&card, None, livemode),
        None => found(ctx, "payment_method", id, "PaymentMethod")?,
    };
    match pm["customer"].as_str() {
        Some(c) if c == customer => return Ok(pm),
        Some(_) => {
            return Err(ApiError::invalid(
                None,
                "The payment method you provided has already been attached to a customer.",
                Some("payment_method"),
            ))
        }
        None => pm["customer"] = json!(customer),
    }
    ctx.acct().put(pm.clone());
    ctx.emit("payment_method.attached", &pm, None);
    Ok(pm)
}

fn detach(ctx: &mut Ctx, id: &str) -> Res {
    let mut pm = found(ctx, "payment_method", id, "PaymentMethod")?;
    let Some(customer_id) = pm["customer"].as_str().map(str::to_owned) else {
        return Err(ApiError::invalid(
            None,
            "The payment method you provided is not attached to a customer so detachment is impossible.",
            None,
        ));
    };
    pm["customer"] = Value::Null;
    let acct = ctx.acct();
    acct.put(pm.clone());
    // A detached method can't stay the customer's default.
    if let Some(customer) = acct.get_mut(&customer_id) {
        if customer["invoice_settings"]["default_payment_method"] == id {
            customer["invoice_settings"]["default_payment_method"] = Value::Null;
        }
    }
    ctx.emit("payment_method.detached", &pm, Some(json!({ "customer": customer_id })));
    Ok(pm)
}

fn list_payment_methods(ctx: &mut Ctx, p: &Value) -> Res {
    let customer = s(p, "customer");
    if let Some(c) = &customer {
        if ctx.acct().find("customer", c).is_none() {
            return Err(ApiError::no_such("customer", c, "customer"));
        }
    }
    let kind = s(p, "type");
    let items = newest_first(ctx.acct(), "payment_method")
        .into_iter()
        .filter(|m| customer.as_ref().is_none_or(|c| m["customer"] == *c))
        .filter(|m| kind.as_ref().is_none_or(|k| m["type"] == *k))
        .collect();
    paginate(items, p, "/v1/payment_methods")
}

// ---- payment intents --------------------------------------------------------------------------

const ZERO_DECIMAL: &[&str] =
    &["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"];
const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];

/// "$0.50", "€12.00", "1.500 KWD": for messages, as Stripe words them.
fn money(amount: i64, currency: &str) -> String {
    let decimals = if ZERO_DECIMAL.contains(&currency) {
        0
    } else if THREE_DECIMAL.contains(&currency) {
        3
    } else {
        2
    };
    let number = if decimals == 0 {
        amount.to_string()
    } else {
        let unit = 10i64.pow(decimals);
        format!("{}.{:0width$}", amount / unit, amount % unit, width = decimals as usize)
    };
    match currency {
        "usd" => format!("${number}"),
        "eur" => format!("€{number}"),
        "gbp" => format!("£{number}"),
        _ => format!("{number} {}", currency.to_uppercase()),
    }
}

fn check_amount(amount: i64, currency: &str) -> Result<(), ApiError> {
    let bad = |code: &str, message: String| Err(ApiError::invalid(Some(code), &message, Some("amount")));
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_lowercase()) {
        return Err(ApiError::invalid(None, &format!("Invalid currency: {currency}."), Some("currency")));
    }
    if amount < 1 {
        return bad("parameter_invalid_integer", "This value must be greater than or equal to 1.".into());
    }
    if amount > 99_999_999 {
        return bad("amount_too_large", format!("Amount must be no more than {}", money(99_999_999, currency)));
    }
    if matches!(currency, "usd" | "eur" | "gbp") && amount < 50 {
        return bad("amount_too_small", format!("Amount must be at least {} {currency}", money(50, currency)));
    }
    if THREE_DECIMAL.contains(&currency) && amount % 10 != 0 {
        return bad(
            "invalid_charge_amount",
            format!("Invalid amount: {currency} is a three-decimal currency and the amount must be a multiple of 10."),
        );
    }
    if currency == "isk" && amount % 100 != 0 {
        return bad("invalid_charge_amount", "Invalid amount: isk amounts must be a multiple of 100.".into());
    }
    Ok(())
}

/// The PaymentMethod a PaymentIntent names: a magic test id makes a fresh one, as with Stripe.
fn resolve_payment_method(ctx: &mut Ctx, id: &str, customer: Option<&str>) -> Res {
    if let Some(card) = test_card(id) {
        let pm = objects::payment_method(&card, None, ctx.livemode());
        ctx.acct().put(pm.clone());
        return Ok(pm);
    }
    let pm = ctx
        .acct()
        .find("payment_method", id)
        .ok_or_else(|| ApiError::no_such("PaymentMethod", id, "payment_method"))?;
    if let Some(owner) = pm["customer"].as_str() {
        if Some(owner) != customer {
            return Err(ApiError::invalid(
                None,
                &format!(
                    "The provided PaymentMethod {id} is attached to customer {owner}; pass customer={owner} to use it."
                ),
                Some("payment_method"),
            ));
        }
    }
    Ok(pm)
}

fn create_payment_intent(ctx: &mut Ctx, p: &Value) -> Res {
    let amount = int(p, "amount")?.ok_or_else(|| ApiError::missing_param("amount"))?;
    let currency = s(p, "currency").ok_or_else(|| ApiError::missing_param("currency"))?.to_lowercase();
    check_amount(amount, &currency)?;
    let customer = s(p, "customer");
    if let Some(c) = &customer {
        if ctx.acct().find("customer", c).is_none() {
            return Err(ApiError::no_such("customer", c, "customer"));
        }
    }
    let confirm = boolean(p, "confirm")?;
    // off_session also takes "one_off" and "recurring", both meaning true.
    let off_session = match s(p, "off_session").as_deref() {
        Some("one_off" | "recurring") => true,
        _ => boolean(p, "off_session")?,
    };
    let error_on_requires_action = boolean(p, "error_on_requires_action")?;
    if off_session && !confirm {
        return Err(ApiError::invalid(None, "off_session can only be set when confirm is true.", Some("off_session")));
    }
    let types = allowed_types(p);
    let return_url = s(p, "return_url");
    let no_redirects = p["automatic_payment_methods"]["allow_redirects"] == "never";
    let pm_id = s(p, "payment_method");
    if confirm && pm_id.is_none() {
        return Err(ApiError::invalid(
            Some("payment_intent_unexpected_state"),
            "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
            None,
        ));
    }
    if confirm && types.is_none() && return_url.is_none() && !no_redirects {
        return Err(ApiError::invalid(
            None,
            "A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.",
            Some("return_url"),
        ));
    }
    let pm = match pm_id {
        Some(id) => Some(resolve_payment_method(ctx, &id, customer.as_deref())?),
        None => None,
    };
    let mut pi = objects::payment_intent(NewPaymentIntent {
        amount,
        currency,
        customer,
        description: s(p, "description"),
        metadata: metadata(p),
        payment_method_types: types,
        setup_future_usage: s(p, "setup_future_usage"),
        receipt_email: s(p, "receipt_email"),
        livemode: ctx.livemode(),
    });
    if no_redirects && pi["automatic_payment_methods"].is_object() {
        pi["automatic_payment_methods"]["allow_redirects"] = json!("never");
    }
    if let Some(pm) = &pm {
        pi["payment_method"] = pm["id"].clone();
        pi["status"] = json!("requires_confirmation");
    }
    ctx.acct().put(pi.clone());
    ctx.emit("payment_intent.created", &pi, None);
    match pm {
        Some(pm) if confirm => charge(ctx, pi, pm, off_session, error_on_requires_action, return_url),
        _ => Ok(pi),
    }
}

/// Confirms a PaymentIntent with the card: success, a decline (402), or 3-D Secure.
fn charge(
    ctx: &mut Ctx,
    mut pi: Value,
    pm: Value,
    off_session: bool,
    error_on_action: bool,
    return_url: Option<String>,
) -> Res {
    let pi_id = str_of(&pi["id"]);
    match behaviour(&pm) {
        Behaviour::Succeed => {
            let charge = objects::charge(&pi, &pm, None);
            pi["status"] = json!("succeeded");
            pi["amount_received"] = pi["amount"].clone();
            pi["latest_charge"] = charge["id"].clone();
            pi["payment_method"] = pm["id"].clone();
            // setup_future_usage saves the card to the customer, as Stripe does.
            if pi["setup_future_usage"].is_string() && pi["customer"].is_string() && pm["customer"].is_null() {
                let mut saved = pm.clone();
                saved["customer"] = pi["customer"].clone();
                ctx.acct().put(saved.clone());
                ctx.emit("payment_method.attached", &saved, None);
            }
            ctx.acct().put(charge.clone());
            ctx.acct().put(pi.clone());
            ctx.emit("charge.succeeded", &charge, None);
            ctx.emit("payment_intent.succeeded", &pi, None);
            Ok(pi)
        }
        Behaviour::Decline(decline_code) => {
            let charge = objects::charge(&pi, &pm, Some(decline_code));
            let message = decline_message(decline_code);
            let error = card_error("card_declined", decline_code, message).with("charge", charge["id"].clone());
            pi["status"] = json!("requires_payment_method");
            pi["payment_method"] = Value::Null;
            pi["latest_charge"] = charge["id"].clone();
            pi["last_payment_error"] = Value::Object(error.error.clone());
            pi["last_payment_error"]["payment_method"] = pm.clone();
            ctx.acct().put(charge.clone());
            ctx.acct().put(pi.clone());
            ctx.emit("charge.failed", &charge, None);
            ctx.emit("payment_intent.payment_failed", &pi, None);
            Err(error.with("payment_intent", pi).with("payment_method", pm))
        }
        Behaviour::Authenticate => {
            let url = format!("{}authenticate/{pi_id}?client_secret={}", ctx.base_url(), str_of(&pi["client_secret"]));
            let next_action =
                json!({ "type": "redirect_to_url", "redirect_to_url": { "return_url": return_url, "url": url } });
            if !off_session && !error_on_action {
                pi["status"] = json!("requires_action");
                pi["next_action"] = next_action;
                ctx.acct().put(pi.clone());
                ctx.emit("payment_intent.requires_action", &pi, None);
                return Ok(pi);
            }
            let error = card_error(
                "authentication_required",
                "authentication_required",
                "Your card was declined. This transaction requires authentication.",
            );
            pi["last_payment_error"] = Value::Object(error.error.clone());
            pi["last_payment_error"]["payment_method"] = pm.clone();
            if off_session {
                // Left for the customer to authenticate later, on session.
                pi["status"] = json!("requires_action");
                pi["next_action"] = next_action;
            } else {
                pi["status"] = json!("requires_payment_method");
                pi["payment_method"] = Value::Null;
            }
            ctx.acct().put(pi.clone());
            ctx.emit("payment_intent.payment_failed", &pi, None);
            Err(error.with("payment_intent", pi).with("payment_method", pm))
        }
    }
}

/// Cancels a PaymentIntent that has not succeeded (or been canceled) yet.
fn cancel_payment_intent(ctx: &mut Ctx, id: &str, p: &Value) -> Res {
    let mut pi = found(ctx, "payment_intent", id, "payment_intent")?;
    let status = str_of(&pi["status"]);
    if matches!(status.as_str(), "succeeded" | "canceled") {
        return Err(ApiError::invalid(
            Some("payment_intent_unexpected_state"),
            &format!("You cannot cancel this PaymentIntent because it has a status of {status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing."),
            None,
        ));
    }
    pi["status"] = json!("canceled");
    pi["canceled_at"] = json!(crate::state::now());
    pi["cancellation_reason"] = s(p, "cancellation_reason").map_or(Value::Null, Value::from);
    pi["next_action"] = Value::Null;
    ctx.acct().put(pi.clone());
    ctx.emit("payment_intent.canceled", &pi, None);
    Ok(pi)
}

fn list_payment_intents(ctx: &mut Ctx, p: &Value) -> Res {
    let customer = s(p, "customer");
    let items = newest_first(ctx.acct(), "payment_intent")
        .into_iter()
        .filter(|pi| customer.as_ref().is_none_or(|c| pi["customer"] == *c))
        .collect();
    paginate(items, p, "/v1/payment_intents")
}

/// Stripe's search language, the subset `metadata['k']:'v'` and `field:'v'`, joined with AND.
fn search_payment_intents(ctx: &mut Ctx, p: &Value) -> Res {
    let query = s(p, "query").ok_or_else(|| ApiError::missing_param("query"))?;
    let bad_query = || {
        ApiError::invalid(None, &format!("The query could not be parsed (the fake supports `metadata['key']:'value'` and `field:'value'` clauses joined by AND): {query}"), Some("query"))
    };
    let mut clauses = Vec::new();
    for clause in query.split(" AND ") {
        let (field, value) = clause.trim().split_once(':').ok_or_else(bad_query)?;
        let unquote = |v: &str| {
            let v = v.trim();
            let quoted =
                v.len() >= 2 && (v.starts_with('\'') && v.ends_with('\'') || v.starts_with('"') && v.ends_with('"'));
            quoted.then(|| v[1..v.len() - 1].to_owned())
        };
        let value = unquote(value).ok_or_else(bad_query)?;
        let path: Vec<String> = match field.trim().strip_prefix("metadata[").and_then(|f| f.strip_suffix(']')) {
            Some(key) => vec!["metadata".into(), unquote(key).ok_or_else(bad_query)?],
            None => vec![field.trim().to_owned()],
        };
        clauses.push((path, value));
    }
    let matches = |pi: &Value| {
        clauses.iter().all(|(path, value)| {
            let found = path.iter().fold(pi, |v, key| &v[key.as_str()]);
            found.as_str().map(str::to_owned).or_else(|| found.as_i64().map(|n| n.to_string())).as_deref()
                == Some(value)
        })
    };
    let all: Vec<Value> = newest_first(ctx.acct(), "payment_intent").into_iter().filter(matches).collect();
    let limit = int(p, "limit")?.unwrap_or(10).clamp(1, 100) as usize;
    let offset = s(p, "page").and_then(|pg| pg.strip_prefix("page_").and_then(|n| n.parse().ok())).unwrap_or(0usize);
    let total = all.len();
    let page: Vec<Value> = all.into_iter().skip(offset).take(limit).collect();
    let has_more = offset.saturating_add(page.len()) < total;
    Ok(json!({
        "object": "search_result",
        "data": page,
        "has_more": has_more,
        "next_page": has_more.then(|| format!("page_{}", offset.saturating_add(limit))),
        "total_count": total,
        "url": "/v1/payment_intents/search",
    }))
}

// ---- refunds ----------------------------------------------------------------------------------

fn create_refund(ctx: &mut Ctx, p: &Value) -> Res {
    let charge_id = match (s(p, "charge"), s(p, "payment_intent")) {
        (Some(charge), _) => charge,
        (None, Some(pi_id)) => {
            let pi = ctx
                .acct()
                .find("payment_intent", &pi_id)
                .ok_or_else(|| ApiError::no_such("payment_intent", &pi_id, "payment_intent"))?;
            if pi["status"] != "succeeded" {
                return Err(ApiError::invalid(
                    Some("payment_intent_unexpected_state"),
                    &format!("This PaymentIntent ({pi_id}) does not have a successful charge to refund."),
                    Some("payment_intent"),
                ));
            }
            str_of(&pi["latest_charge"])
        }
        (None, None) => {
            return Err(ApiError::invalid(
                Some("parameter_missing"),
                "One of the following params should be provided for this request: payment_intent or charge.",
                None,
            ))
        }
    };
    let mut charge =
        ctx.acct().find("charge", &charge_id).ok_or_else(|| ApiError::no_such("charge", &charge_id, "charge"))?;
    let currency = str_of(&charge["currency"]);
    let refunded = charge["amount_refunded"].as_i64().unwrap_or(0);
    let left = charge["amount"].as_i64().unwrap_or(0) - refunded;
    if charge["status"] != "succeeded" {
        return Err(ApiError::invalid(
            Some("charge_not_refundable"),
            &format!("Charge {charge_id} has not succeeded; there is nothing to refund."),
            None,
        ));
    }
    let disputed =
        ctx.acct().list("dispute").iter().any(|d| d["charge"] == *charge_id && d["status"] == "needs_response");
    if disputed {
        return Err(ApiError::invalid(
            Some("charge_disputed"),
            &format!("Charge {charge_id} has been charged back; cannot issue a refund."),
            None,
        ));
    }
    if left == 0 {
        return Err(ApiError::invalid(
            Some("charge_already_refunded"),
            &format!("Charge {charge_id} has already been refunded."),
            None,
        ));
    }
    let amount = int(p, "amount")?.unwrap_or(left);
    if amount < 1 {
        return Err(ApiError::invalid(
            Some("parameter_invalid_integer"),
            "This value must be greater than or equal to 1.",
            Some("amount"),
        ));
    }
    if amount > left {
        return Err(ApiError::invalid(
            Some("amount_too_large"),
            &format!(
                "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                money(amount, &currency),
                money(left, &currency)
            ),
            Some("amount"),
        ));
    }
    let reason = s(p, "reason");
    if let Some(r) = &reason {
        if !matches!(r.as_str(), "duplicate" | "fraudulent" | "requested_by_customer") {
            return Err(ApiError::invalid(
                None,
                &format!("Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer (got {r})"),
                Some("reason"),
            ));
        }
    }
    let refund = objects::refund(&charge, amount, reason, metadata(p));
    let previous = json!({ "amount_refunded": refunded, "refunded": charge["refunded"] });
    charge["amount_refunded"] = json!(refunded + amount);
    charge["refunded"] = json!(amount == left);
    ctx.acct().put(charge.clone());
    ctx.acct().put(refund.clone());
    ctx.emit("refund.created", &refund, None);
    ctx.emit("charge.refunded", &charge, Some(previous));
    // The acquirer reference arrives a moment later in real life; here at once.
    let mut updated = refund.clone();
    updated["destination_details"]["card"]["reference"] = json!(random(23).to_uppercase());
    updated["destination_details"]["card"]["reference_status"] = json!("available");
    ctx.acct().put(updated.clone());
    let before = json!({ "destination_details": { "card": { "reference": null, "reference_status": "pending" } } });
    ctx.emit("refund.updated", &updated, Some(before));
    Ok(refund)
}

// ---- checkout ---------------------------------------------------------------------------------

fn create_session(ctx: &mut Ctx, p: &Value) -> Res {
    let mode = s(p, "mode").ok_or_else(|| ApiError::missing_param("mode"))?;
    if mode != "setup" {
        return Err(ApiError::invalid(None, &format!("The fake supports only mode=setup, not {mode}."), Some("mode")));
    }
    let customer = s(p, "customer");
    if let Some(c) = &customer {
        if ctx.acct().find("customer", c).is_none() {
            return Err(ApiError::no_such("customer", c, "customer"));
        }
    }
    let types = allowed_types(p);
    let currency = s(p, "currency").map(|c| c.to_lowercase());
    if types.is_none() && currency.is_none() {
        return Err(ApiError::invalid(
            None,
            "currency is required in setup mode when payment_method_types is not set.",
            Some("currency"),
        ));
    }
    let session = objects::checkout_session(NewSession {
        customer,
        customer_email: s(p, "customer_email"),
        currency,
        success_url: s(p, "success_url"),
        cancel_url: s(p, "cancel_url"),
        client_reference_id: s(p, "client_reference_id"),
        allowed_payment_method_types: types,
        metadata: metadata(p),
        livemode: ctx.livemode(),
        base_url: ctx.base_url(),
    });
    let data = p.get("setup_intent_data").cloned().unwrap_or_else(|| json!({}));
    let setup = json!({ "metadata": metadata(&data), "description": s(&data, "description") });
    let acct = ctx.acct();
    acct.hidden.insert(str_of(&session["id"]), setup);
    acct.put(session.clone());
    Ok(session)
}

// ---- events -----------------------------------------------------------------------------------

fn list_events(ctx: &mut Ctx, p: &Value) -> Res {
    let pattern = s(p, "type");
    let types = strings(p, "types");
    let created = |e: &Value| -> Result<bool, ApiError> {
        let at = e["created"].as_i64().unwrap_or(0);
        match p.get("created") {
            Some(range @ Value::Object(_)) => {
                let bound = |k: &str| int(range, k);
                Ok(bound("gte")?.is_none_or(|b| at >= b)
                    && bound("gt")?.is_none_or(|b| at > b)
                    && bound("lte")?.is_none_or(|b| at <= b)
                    && bound("lt")?.is_none_or(|b| at < b))
            }
            Some(_) => Ok(int(p, "created")?.is_none_or(|b| at == b)),
            None => Ok(true),
        }
    };
    let delivered = match s(p, "delivery_success").as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(v) => return Err(ApiError::invalid(None, &format!("Invalid boolean: {v}"), Some("delivery_success"))),
    };
    let mut items = Vec::new();
    for event in ctx.acct().events.iter().rev() {
        let kind = event["type"].as_str().unwrap_or_default();
        let type_ok = pattern.as_ref().is_none_or(|t| match t.split_once('*') {
            Some((prefix, suffix)) => kind.starts_with(prefix) && kind.ends_with(suffix),
            None => kind == t,
        });
        let types_ok = types.is_empty() || types.iter().any(|t| t == kind);
        let delivery_ok = delivered.is_none_or(|d| (event["pending_webhooks"].as_i64().unwrap_or(0) == 0) == d);
        if type_ok && types_ok && delivery_ok && created(event)? {
            items.push(event.clone());
        }
    }
    paginate(items, p, "/v1/events")
}

// ---- test helpers (the public FakeStripe methods) ----------------------------------------------

/// The hosted page's success: card saved through a SetupIntent, session complete.
pub fn complete_session(ctx: &mut Ctx, session_id: &str, payment_method: &str) -> Result<Value, String> {
    let mut session =
        ctx.acct().find("checkout.session", session_id).ok_or(format!("no such checkout session {session_id}"))?;
    if session["status"] != "open" {
        return Err(format!("checkout session {session_id} is {}", session["status"]));
    }
    let customer = session["customer"].clone();
    let livemode = ctx.livemode();
    let mut pm = match test_card(payment_method) {
        Some(card) if !card.attachable => return Err("card_declined: Your card was declined.".into()),
        Some(card) => objects::payment_method(&card, None, livemode),
        None => ctx
            .acct()
            .find("payment_method", payment_method)
            .ok_or(format!("no such payment method {payment_method}"))?,
    };
    if !pm["customer"].is_null() && pm["customer"] != customer {
        return Err(format!("payment method {payment_method} belongs to another customer"));
    }
    let newly_attached = pm["customer"].is_null() && customer.is_string();
    pm["customer"] = customer.clone();
    ctx.acct().put(pm.clone());
    if newly_attached {
        ctx.emit("payment_method.attached", &pm, None);
    }
    let data = ctx.acct().hidden.get(session_id).cloned().unwrap_or_else(|| json!({}));
    let setup_intent = objects::setup_intent(&customer, pm["id"].as_str().unwrap_or_default(), &data, livemode);
    ctx.acct().put(setup_intent.clone());
    ctx.emit("setup_intent.created", &setup_intent, None);
    ctx.emit("setup_intent.succeeded", &setup_intent, None);
    let email = customer
        .as_str()
        .and_then(|c| ctx.acct().get(c))
        .map_or(session["customer_email"].clone(), |c| c["email"].clone());
    session["status"] = json!("complete");
    session["setup_intent"] = setup_intent["id"].clone();
    session["customer_details"] = json!({
        "address": null, "business_name": null, "email": email, "individual_name": null, "name": null,
        "phone": null, "tax_exempt": "none", "tax_ids": [],
    });
    ctx.acct().put(session.clone());
    ctx.emit("checkout.session.completed", &session, None);
    Ok(session)
}

pub fn open_dispute(ctx: &mut Ctx, payment_intent: &str) -> Result<String, String> {
    let pi =
        ctx.acct().find("payment_intent", payment_intent).ok_or(format!("no such payment intent {payment_intent}"))?;
    let charge_id = str_of(&pi["latest_charge"]);
    let mut charge = ctx
        .acct()
        .find("charge", &charge_id)
        .filter(|c| c["status"] == "succeeded")
        .ok_or(format!("{payment_intent} has no successful charge"))?;
    if charge["disputed"] == true {
        return Err(format!("charge {charge_id} is already disputed"));
    }
    let dispute = objects::dispute(&charge);
    charge["disputed"] = json!(true);
    ctx.acct().put(charge);
    ctx.acct().put(dispute.clone());
    ctx.emit("charge.dispute.created", &dispute, None);
    Ok(str_of(&dispute["id"]))
}

pub fn close_dispute(ctx: &mut Ctx, dispute_id: &str, won: bool) -> Result<(), String> {
    let mut dispute = ctx.acct().find("dispute", dispute_id).ok_or(format!("no such dispute {dispute_id}"))?;
    if dispute["status"] != "needs_response" {
        return Err(format!("dispute {dispute_id} is already closed ({})", dispute["status"]));
    }
    dispute["status"] = json!(if won { "won" } else { "lost" });
    ctx.acct().put(dispute.clone());
    ctx.emit("charge.dispute.closed", &dispute, Some(json!({ "status": "needs_response" })));
    Ok(())
}
