//! Signing in and out, and changing one's own password.

use leptos::prelude::*;

use crate::error::AppError;
use crate::policy::Actor;

/// The signed-in actor, or `None`.
#[server]
pub async fn whoami() -> Result<Option<Actor>, AppError> {
    let state = crate::state::app_state()?;
    crate::guard::current_actor(&state).await
}

/// Signs in; throttled after 5 failures of one user from one address, or 20
/// from one address, in 15 minutes (see `store::users::begin_attempt`).
/// Redirects to `next` (a local path) on success.
#[server]
pub async fn login(username: String, password: String, next: String) -> Result<(), AppError> {
    use crate::audit::{AuditEntry, Outcome, Target};
    use crate::auth::{now_ms, verify_password};
    use crate::store::users;

    let state = crate::state::app_state()?;
    let started = std::time::Instant::now();
    let source = crate::guard::request_source();
    let username = username.trim().to_string();
    let record = |outcome: Outcome, message: &str| {
        AuditEntry::new(username.clone(), source.clone(), "auth.sign_in")
            .target(Target::new("user", "", username.clone()))
            .outcome(outcome, message)
            .duration_ms(started.elapsed().as_millis() as i64)
    };
    let now = now_ms();
    let Some(attempt) = users::begin_attempt(&state.pool, &username, &source, now).await? else {
        // A throttled address may keep trying: aggregated per minute.
        let _ = state
            .audit
            .append_refusal(record(Outcome::Denied, "throttled"))
            .await;
        return Err(AppError::Throttled);
    };
    let user = users::by_name(&state.pool, &username).await?;
    // Verify against a dummy hash when the user is unknown, so timing does not tell.
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4n8wAAi6c5z5PFQ6kBC8ZtJ0Jc4b0kQ0xS0r3E8dQdA";
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY.into());
    let password_ok = verify_password(password, hash).await;
    let user = user.filter(|u| password_ok && !u.disabled);
    let Some(user) = user else {
        let _ = state
            .audit
            .append(record(Outcome::Denied, "wrong username or password"))
            .await;
        return Err(AppError::field(
            "password",
            crate::i18n::Key::ErrBadCredentials,
        ));
    };
    users::attempt_succeeded(&state.pool, attempt).await?;
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|_| AppError::Internal)?;
    crate::auth::sign_in(&session, user.id).await?;
    let _ = state
        .audit
        .append(record(Outcome::Ok, "").target(Target::new(
            "user",
            user.id.to_string(),
            user.username,
        )))
        .await;
    leptos_axum::redirect(&safe_next(&next));
    Ok(())
}

/// Only a local path may follow sign-in (no open redirect), and never the
/// sign-in page itself.
pub fn safe_next(next: &str) -> String {
    crate::url::local_path(next)
        .filter(|p| !p.starts_with("/login"))
        .unwrap_or("/")
        .to_string()
}

/// Signs out: the session is deleted on the server.
#[server]
pub async fn logout() -> Result<(), AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};

    let (_, actor) = crate::guard::require_actor().await?;
    let target = Target::new("user", actor.user_id.to_string(), actor.username);
    let subject = Subject::user(actor.user_id, target, serde_json::Value::Null);
    let op = Op::begin(crate::policy::Action::SignOut, subject).await?;
    let result = async {
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|_| AppError::Internal)?;
        crate::auth::sign_out(&session).await
    }
    .await;
    if result.is_ok() {
        leptos_axum::redirect("/login");
    }
    op.finish(result, serde_json::Value::Null, serde_json::Value::Null)
        .await
}

/// Changes the caller's own password, given the current one.
#[server]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};
    use crate::policy::Action;

    let (_, actor) = crate::guard::require_actor().await?;
    let target = Target::new("user", actor.user_id.to_string(), actor.username.clone());
    let params =
        serde_json::json!({ "current_password": current_password, "new_password": new_password });
    let subject = Subject::user(actor.user_id, target, params);
    let op = Op::begin(Action::PasswordChangeOwn, subject).await?;
    let result = async {
        let state = &op.state;
        crate::service::users::change_own_password(state, &actor, current_password, new_password)
            .await?;
        // Every session of the user ended; this one goes on with a new id.
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|_| AppError::Internal)?;
        crate::auth::sign_in(&session, actor.user_id).await
    }
    .await;
    op.finish(result, serde_json::Value::Null, serde_json::Value::Null)
        .await
}
