//! The spine of every server function: authenticate → policy → act → audit.
//! [`Op::begin`] authenticates and asks the policy; a refusal is audited
//! here and never reaches the action. [`Op::finish`] audits the outcome of a
//! change. Reads call `begin` only: they are audited when refused.

use std::time::Instant;

use leptos::prelude::*;
use serde_json::Value;

use crate::audit::{AuditEntry, Outcome, Target};
use crate::error::AppError;
use crate::gateway::late::LateOutcome;
use crate::i18n::Key;
use crate::model::domain::DomainRow;
use crate::policy::{decide, Action, Actor, Decision, Object};
use crate::state::{app_state, AppState};

/// An authorized operation in progress.
pub struct Op {
    pub state: AppState,
    pub actor: Actor,
    entry: AuditEntry,
    started: Instant,
}

/// What the audit record says the operation is about. Built only by its
/// constructors, one per kind of resource the policy rules on.
pub struct Subject<'a> {
    resource: Resource<'a>,
    /// Workspace slug, or "" when none applies.
    workspace: &'a str,
    target: Target,
    params: Value,
}

/// What the policy rules on: an [`Object`], or a pool by the slugs that
/// allow it (owned here, lent to [`Object::Pool`]).
enum Resource<'a> {
    Object(Object<'a>),
    Pool(Vec<&'a str>),
}

impl Resource<'_> {
    fn object(&self) -> Object<'_> {
        match self {
            Resource::Object(object) => object.clone(),
            Resource::Pool(slugs) => Object::Pool(slugs),
        }
    }
}

impl<'a> Subject<'a> {
    /// The platform as a whole: hosts, users, templates, pools, networks.
    pub fn platform(target: Target, params: Value) -> Self {
        Subject::new(Object::Platform, "", target, params)
    }

    /// A list read of the platform's `kind` (filtered to what the caller
    /// may see after the policy allows the read).
    pub fn list(kind: &str) -> Self {
        Subject::platform(Target::new(kind, "", ""), Value::Null)
    }

    /// Workspace `id` with `slug` (`None`: no such workspace; [`Op::found`]
    /// then answers 404).
    pub fn workspace(id: i64, slug: Option<&'a str>, params: Value) -> Self {
        let slug = slug.unwrap_or("");
        let target = Target::new("workspace", id.to_string(), slug);
        Subject::new(Object::Workspace(id), slug, target, params)
    }

    /// User account `id`.
    pub fn user(id: i64, target: Target, params: Value) -> Self {
        Subject::new(Object::User(id), "", target, params)
    }

    /// A domain owned by `workspace` (`None`: unowned or unknown).
    pub fn domain(workspace: Option<&'a str>, target: Target, params: Value) -> Self {
        Subject::new(
            Object::Domain(workspace),
            workspace.unwrap_or(""),
            target,
            params,
        )
    }

    /// An existing domain as the inventory knows it (`None`: not found; the
    /// guard then rules on an unowned domain and [`Op::found`] answers 404).
    pub fn existing_domain(row: Option<&'a DomainRow>, uuid: &str, params: Value) -> Self {
        let name = row.map(|r| r.name.as_str()).unwrap_or_default();
        let workspace = row.and_then(|r| r.workspace.as_deref());
        Subject::domain(workspace, Target::new("domain", uuid, name), params)
    }

    /// A storage pool (or one of its volumes) allowed to the workspaces
    /// `allowing` (see `visibility::pool_slugs`).
    pub fn pool(allowing: &'a [String], target: Target, params: Value) -> Self {
        let first = allowing.first().map_or("", String::as_str);
        let slugs = allowing.iter().map(String::as_str).collect();
        Subject::with(Resource::Pool(slugs), first, target, params)
    }

    /// A volume belonging to workspace `owner` (`None`: the plant's).
    pub fn volume(owner: Option<&'a str>, target: Target, params: Value) -> Self {
        Subject::new(Object::Volume(owner), owner.unwrap_or(""), target, params)
    }

    /// Records the operation under another workspace than the resource's
    /// (assigning a domain is recorded under the workspace it goes to).
    pub fn audited_in(mut self, workspace: &'a str) -> Self {
        self.workspace = workspace;
        self
    }

    /// Records the operation as aimed at `target` (reading a workspace's
    /// audit log is recorded against the log).
    pub fn about(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    fn new(object: Object<'a>, workspace: &'a str, target: Target, params: Value) -> Self {
        Subject::with(Resource::Object(object), workspace, target, params)
    }

    fn with(resource: Resource<'a>, workspace: &'a str, target: Target, params: Value) -> Self {
        Subject {
            resource,
            workspace,
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
            // Anyone can send these: aggregated per source and minute.
            let denied = entry("anonymous")
                .outcome(Outcome::Denied, "not signed in")
                .duration_ms(started.elapsed().as_millis() as i64);
            if let Err(err) = state.audit.append_refusal(denied).await {
                tracing::error!(error = %err, "audit record could not be written");
            }
            return Err(AppError::Unauthorized);
        };
        match decide(&actor, action, &subject.resource.object()) {
            Decision::Allow => {
                let entry = entry(&actor.username);
                if action.touches_hosts() {
                    // The attempt is on record before the host is touched;
                    // without a record, nothing is done.
                    let attempt = entry.clone().outcome(Outcome::Started, "");
                    if let Err(err) = state.audit.append(attempt).await {
                        tracing::error!(error = %err, "audit unavailable: action refused");
                        return Err(AppError::Internal);
                    }
                }
                Ok(Op {
                    entry,
                    state,
                    actor,
                    started,
                })
            }
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

    /// The resource the operation is about, or a `NotFound` audited as the
    /// outcome when it does not exist.
    pub async fn found<T>(self, resource: Option<T>) -> Result<(Op, T), AppError> {
        match resource {
            Some(found) => Ok((self, found)),
            None => {
                self.finish(Err(AppError::NotFound), Value::Null, Value::Null)
                    .await
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
            Err(AppError::Host(Key::HostErrDeadline)) => {
                // The call goes on past its deadline: what it did is not
                // known yet. Its real result is recorded when it comes.
                let entry = self.entry.change(before, Value::Null);
                if let Some(late) = crate::gateway::late::take_last() {
                    reconcile(self.state.clone(), entry.clone(), self.started, late);
                }
                entry.outcome(Outcome::Unknown, Key::HostErrDeadline.en())
            }
            Err(err) => self
                .entry
                .change(before, Value::Null)
                .outcome(Outcome::Failed, err.summary().en()),
        };
        append(&self.state, entry, self.started).await;
        result
    }
}

/// How long a late outcome is waited for before the record stays
/// "unknown" (the long-job deadline is 2 h by default).
const RECONCILE_LIMIT: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Records the real outcome of an operation recorded "unknown", once the
/// host gives it (in a task of its own: the request has been answered).
fn reconcile(state: AppState, entry: AuditEntry, started: Instant, late: LateOutcome) {
    tokio::spawn(async move {
        let entry = match tokio::time::timeout(RECONCILE_LIMIT, late).await {
            Ok(Ok(())) => entry.outcome(
                Outcome::Ok,
                "reconciled: the host answered after the deadline",
            ),
            Ok(Err(key)) => entry.outcome(Outcome::Failed, key.en()),
            Err(_) => {
                tracing::error!(action = %entry.action, "no late outcome within a day");
                return;
            }
        };
        append(&state, entry, started).await;
    });
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
        .map(|p| crate::auth::client_address(&p.extensions))
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
