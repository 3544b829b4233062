//! The spine of every server function: authenticate → policy → act → audit.
//! [`Op::begin`] authenticates and asks the policy; a refusal is audited
//! here and never reaches the action. [`Op::finish`] audits the outcome of a
//! change. Reads call `begin` only: they are audited when refused.

use std::time::Instant;

use leptos::prelude::*;
use serde_json::Value;

use crate::audit::{AuditEntry, Outcome, Target};
use crate::error::AppError;
use crate::policy::{decide, Action, Actor, Decision, Object};
use crate::state::{app_state, AppState};

/// An authorized operation in progress.
pub struct Op {
    pub state: AppState,
    pub actor: Actor,
    entry: AuditEntry,
    started: Instant,
}

/// What the audit record says the operation is about.
pub struct Subject<'a> {
    pub resource: Object<'a>,
    /// Workspace slug, or "" when none applies.
    pub workspace: &'a str,
    pub target: Target,
    pub params: Value,
}

impl<'a> Subject<'a> {
    pub fn platform(target: Target, params: Value) -> Self {
        Subject {
            resource: Object::Platform,
            workspace: "",
            target,
            params,
        }
    }
}

impl Op {
    /// Authenticates the caller and checks the policy; refusals are audited
    /// and answered with 401/403.
    pub async fn begin(action: Action, subject: Subject<'_>) -> Result<Op, AppError> {
        let state = app_state()?;
        let actor = current_actor(&state).await?;
        let op = Op::authorize(state, actor, request_source(), action, subject).await;
        match &op {
            Err(AppError::Unauthorized) => set_status(http::StatusCode::UNAUTHORIZED),
            Err(AppError::Forbidden(_)) => set_status(http::StatusCode::FORBIDDEN),
            _ => {}
        }
        op
    }

    /// The guard without Leptos context, for plain routes (CSV export).
    pub async fn authorize(
        state: AppState,
        actor: Option<Actor>,
        source: String,
        action: Action,
        subject: Subject<'_>,
    ) -> Result<Op, AppError> {
        let started = Instant::now();
        let entry = |actor: &str| {
            AuditEntry::new(actor, source.clone(), action.audit_name())
                .workspace(subject.workspace)
                .target(subject.target.clone())
                .params(subject.params.clone())
        };
        let Some(actor) = actor else {
            let denied = entry("anonymous").outcome(Outcome::Denied, "not signed in");
            append(&state, denied, started).await;
            return Err(AppError::Unauthorized);
        };
        match decide(&actor, action, &subject.resource) {
            Decision::Allow => Ok(Op {
                entry: entry(&actor.username),
                state,
                actor,
                started,
            }),
            Decision::Deny(reason) => {
                append(
                    &state,
                    entry(&actor.username).outcome(Outcome::Denied, reason.en()),
                    started,
                )
                .await;
                Err(AppError::Forbidden(reason))
            }
        }
    }

    /// Audits the outcome of a change and passes the result through.
    pub async fn finish<T>(
        self,
        result: Result<T, AppError>,
        before: Value,
        after: Value,
    ) -> Result<T, AppError> {
        let entry = match &result {
            Ok(_) => self.entry.change(before, after).outcome(Outcome::Ok, ""),
            Err(err) => self
                .entry
                .change(before, Value::Null)
                .outcome(Outcome::Failed, err.summary().en()),
        };
        append(&self.state, entry, self.started).await;
        result
    }
}

async fn append(state: &AppState, entry: AuditEntry, started: Instant) {
    let entry = entry.duration_ms(started.elapsed().as_millis() as i64);
    if let Err(err) = state.audit.append(entry).await {
        // The action's own result stands; losing an audit record is logged loudly.
        tracing::error!(error = %err, "audit record could not be written");
    }
}

fn set_status(status: http::StatusCode) {
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(status);
    }
}

/// The caller's address, for the audit log.
pub fn request_source() -> String {
    use_context::<http::request::Parts>()
        .map(|p| crate::auth::client_address(&p))
        .unwrap_or_else(|| "unknown".into())
}

/// The signed-in actor of the current request, if any.
pub async fn current_actor(state: &AppState) -> Result<Option<Actor>, AppError> {
    let session = match leptos_axum::extract::<tower_sessions::Session>().await {
        Ok(session) => session,
        Err(err) => {
            // Answered as "signed out": say so, since a page rendered that
            // way hydrates against a browser that knows the user.
            tracing::warn!(error = %err, "no session in this request's context");
            return Ok(None);
        }
    };
    crate::auth::session_actor(&state.pool, &session, state.session_limits).await
}

/// The signed-in actor, or 401.
pub async fn require_actor() -> Result<(AppState, Actor), AppError> {
    let state = app_state()?;
    match current_actor(&state).await? {
        Some(actor) => Ok((state, actor)),
        None => {
            set_status(http::StatusCode::UNAUTHORIZED);
            Err(AppError::Unauthorized)
        }
    }
}
