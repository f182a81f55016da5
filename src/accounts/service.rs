//! Account use cases. Each is one database transaction.

use std::net::IpAddr;

use diesel::Connection;

use super::models::*;
use super::repo;
use super::throttle::LoginThrottle;
use crate::auth::{tokens, Auth, Person};
use crate::cache::Invalidation;
use crate::crypto::jwt;
use crate::error::{on_unique_violation, ApiError, ApiResult, ErrorCode};
use crate::ids::{SecretKeyId, TenantId, UserId};
use crate::pagination::{List, Page};
use crate::state::AppState;
use crate::tenancy::{Mode, Scope};

pub const DEFAULT_GRACE_SECONDS: i32 = 3600;
pub const DEFAULT_DUE_DAYS: i32 = 30;

fn new_secret_key(
    tenant_id: TenantId,
    mode: Mode,
    name: String,
    now: chrono::DateTime<chrono::Utc>,
) -> (SecretKey, String) {
    let token = tokens::new_secret_key(mode);
    let row = SecretKey {
        tenant_id,
        mode,
        id: SecretKeyId::new(),
        name,
        prefix: token.prefix,
        key_hash: token.hash.to_vec(),
        created_at: now,
        revoked_at: None,
    };
    (row, token.key)
}

pub async fn signup(state: &AppState, req: SignupRequest) -> ApiResult<SignupResponse> {
    let password_hash = state.hasher.hash(req.password.into_inner()).await?;
    let now = state.clock.now();
    let tenant = Tenant {
        id: TenantId::new(),
        name: req.organization.into_inner(),
        created_at: now,
        pricing_url: None,
        invoice_grace_seconds: DEFAULT_GRACE_SECONDS,
        invoice_due_days: DEFAULT_DUE_DAYS,
        dunning_retry_days: vec![1, 3, 5, 7],
        dunning_block_after_days: Some(14),
        dunning_cancel_after_days: Some(21),
        emails_off: Vec::new(),
    };
    let user =
        User { tenant_id: tenant.id, id: UserId::new(), email: req.email.into_inner(), password_hash, created_at: now };
    let (test_key, test_secret) = new_secret_key(tenant.id, Mode::Test, "Default".into(), now);
    let (live_key, live_secret) = new_secret_key(tenant.id, Mode::Live, "Default".into(), now);

    let (tenant, user) = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            repo::insert_tenant(conn, &tenant)?;
            repo::insert_user(conn, &user).map_err(on_unique_violation(
                ErrorCode::EmailTaken,
                "an account with this email already exists; log in instead",
                "email",
            ))?;
            repo::insert_secret_key(conn, &test_key)?;
            repo::insert_secret_key(conn, &live_key)?;
            Ok::<_, ApiError>((tenant, user))
        })
    })
    .await?;

    let access_token = state.jwt.issue(user.id, tenant.id, now.timestamp())?;
    tracing::info!(tenant = %tenant.id, user = %user.id, "tenant signed up");
    Ok(SignupResponse {
        tenant: TenantSummary { id: tenant.id, name: tenant.name },
        user: UserSummary { id: user.id, email: user.email },
        access_token,
        secret_keys: InitialSecretKeys { test: test_secret, live: live_secret },
    })
}

/// Logs a person in. `address` is the client's (for throttling, see [`super::throttle`]).
/// The person with this email and password, throttled per email and address; the same Argon2
/// work and the same answer for an unknown email as for a wrong password. (The API's login and
/// the dashboard's sign-in.)
pub async fn check_credentials(
    state: &AppState,
    throttle: &LoginThrottle,
    email: String,
    password: String,
    address: Option<IpAddr>,
) -> ApiResult<super::models::User> {
    throttle.attempt(&email, address, state.clock.now().timestamp_micros())?;
    let lookup = email.clone();
    let user = crate::db::run(&state.pool, move |conn| Ok(repo::find_user_by_email(conn, &lookup)?)).await?;
    let ok = state.hasher.verify(password, user.as_ref().map(|u| u.password_hash.clone())).await?;
    match (ok, user) {
        (true, Some(user)) => {
            throttle.succeeded(&email);
            Ok(user)
        }
        _ => Err(ApiError::unauthenticated(ErrorCode::InvalidCredentials, "the email or password is incorrect")),
    }
}

pub async fn login(
    state: &AppState,
    throttle: &LoginThrottle,
    req: LoginRequest,
    address: Option<IpAddr>,
) -> ApiResult<LoginResponse> {
    let user = check_credentials(state, throttle, req.email.into_inner(), req.password, address).await?;
    let access_token = state.jwt.issue(user.id, user.tenant_id, state.clock.now().timestamp())?;
    Ok(LoginResponse { access_token, token_type: "Bearer", expires_in: jwt::TTL_SECONDS })
}

pub async fn get_tenant(state: &AppState, auth: Auth) -> ApiResult<TenantResponse> {
    let id = auth.scope.tenant_id;
    let tenant = crate::db::run(&state.pool, move |conn| Ok(repo::find_tenant(conn, id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    Ok(TenantResponse::new(tenant, auth.scope.mode))
}

/// Changes the tenant's name or pricing page (a person's call, like key management).
pub async fn update_tenant(state: &AppState, auth: Person, req: UpdateTenantRequest) -> ApiResult<TenantResponse> {
    let id = auth.scope.tenant_id;
    let name = req.name.map(|n| n.into_inner());
    let pricing_url = req.pricing_url.map(|u| u.map(|u| u.into_inner()));
    let whole = |q: Option<crate::money::Quantity>, max: i64, param: &str| {
        q.map(|q| q.whole_in(0, max, param).map(|n| n as i32)).transpose()
    };
    let grace = whole(req.invoice_grace_period_seconds, 2_592_000, "invoice_grace_period_seconds")?;
    let due_days = whole(req.invoice_due_days, 365, "invoice_due_days")?;
    let dunning = req.dunning.map(dunning_changes).transpose()?;
    let emails = req.emails;
    let tenant = state
        .caches
        .write(&state.pool, move |conn, changes| {
            repo::update_tenant(conn, id, name, pricing_url, grace, due_days)?;
            if let Some(d) = dunning {
                repo::update_dunning(conn, id, d)?;
            }
            if let Some(e) = emails {
                use crate::notices::EmailKind as K;
                let mut off = repo::lock_tenant(conn, id)?.map(|t| t.emails_off).unwrap_or_default();
                for (kind, on) in [
                    (K::Invoice, e.invoice),
                    (K::Receipt, e.receipt),
                    (K::PaymentFailed, e.payment_failed),
                    (K::UsageThreshold, e.usage_threshold),
                    (K::TrialEnding, e.trial_ending),
                    (K::SubscriptionCanceled, e.subscription_canceled),
                ] {
                    match on {
                        Some(true) => off.retain(|o| o != kind.as_str()),
                        Some(false) if !off.iter().any(|o| o == kind.as_str()) => off.push(kind.as_str().to_string()),
                        _ => {}
                    }
                }
                off.sort();
                repo::set_emails_off(conn, id, &off)?;
            }
            for mode in [Mode::Test, Mode::Live] {
                changes.invalidate(Invalidation::Scope(Scope { tenant_id: id, mode }));
            }
            repo::find_tenant(conn, id)?.ok_or_else(|| ApiError::not_found("tenant"))
        })
        .await?;
    Ok(TenantResponse::new(tenant, auth.scope.mode))
}

pub async fn create_secret_key(
    state: &AppState,
    auth: Person,
    req: CreateSecretKeyRequest,
) -> ApiResult<CreatedSecretKey> {
    let (row, key) = new_secret_key(auth.scope.tenant_id, req.mode, req.name.into_inner(), state.clock.now());
    let row = crate::db::run(&state.pool, move |conn| {
        repo::insert_secret_key(conn, &row)?;
        Ok(row)
    })
    .await?;
    Ok(CreatedSecretKey {
        id: row.id,
        name: row.name,
        mode: row.mode,
        key,
        prefix: row.prefix,
        created_at: row.created_at,
    })
}

pub async fn list_secret_keys(
    state: &AppState,
    auth: Person,
    mode: Option<Mode>,
    page: Page,
) -> ApiResult<List<SecretKeyObject>> {
    let tenant = auth.scope.tenant_id;
    let rows = crate::db::run(&state.pool, move |conn| Ok(repo::list_secret_keys(conn, tenant, mode, page)?)).await?;
    Ok(List::from_rows(rows, page, |k| k.id.to_string(), SecretKeyObject::from))
}

pub async fn revoke_secret_key(state: &AppState, auth: Person, id: SecretKeyId) -> ApiResult<RevokedSecretKey> {
    let (tenant, now) = (auth.scope.tenant_id, state.clock.now());
    let revoked_at = state
        .caches
        .write(&state.pool, move |conn, changes| {
            let (revoked_at, hash) =
                repo::revoke_secret_key(conn, tenant, id, now)?.ok_or_else(|| ApiError::not_found("secret key"))?;
            changes.invalidate(Invalidation::SecretKey(hash));
            Ok(revoked_at)
        })
        .await?;
    tracing::info!(tenant = %tenant, key = %id, "secret key revoked");
    Ok(RevokedSecretKey { id, revoked_at })
}

/// The dunning changes, checked: days from 1 to 365, at most 10 distinct retries (kept in order).
fn dunning_changes(d: DunningUpdate) -> ApiResult<repo::DunningChanges> {
    let day = |q: crate::money::Quantity, param: String| q.whole_in(1, 365, &param).map(|n| n as i32);
    let retry_days = match d.retry_days {
        None => None,
        Some(None) => Some(Vec::new()),
        Some(Some(days)) => {
            if days.len() > 10 {
                return Err(ApiError::invalid_param("dunning.retry_days", "at most 10 retries"));
            }
            let mut days = days
                .into_iter()
                .enumerate()
                .map(|(i, q)| day(q, format!("dunning.retry_days[{i}]")))
                .collect::<ApiResult<Vec<i32>>>()?;
            days.sort_unstable();
            if days.windows(2).any(|w| w[0] == w[1]) {
                return Err(ApiError::invalid_param("dunning.retry_days", "a day may appear only once"));
            }
            Some(days)
        }
    };
    let step = |v: Option<Option<crate::money::Quantity>>, param: &str| -> ApiResult<Option<Option<i32>>> {
        v.map(|o| o.map(|q| day(q, format!("dunning.{param}"))).transpose()).transpose()
    };
    Ok(repo::DunningChanges {
        retry_days,
        block_after_days: step(d.block_after_days, "block_after_days")?,
        cancel_after_days: step(d.cancel_after_days, "cancel_after_days")?,
    })
}
