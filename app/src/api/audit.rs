//! Reading, verifying and exporting the audit log.

use leptos::prelude::*;

use crate::audit::{AuditFilter, AuditRecord, VerifyReport};
use crate::error::AppError;

/// One page of the audit log. Members read their workspaces' records only:
/// without a workspace filter, their first workspace is used.
#[server]
pub async fn audit_page(filter: AuditFilter) -> Result<Vec<AuditRecord>, AppError> {
    let state = crate::state::app_state()?;
    let actor = crate::guard::current_actor(&state).await?;
    let (scope, filter) = ssr::scope(&state, actor.as_ref(), filter).await?;
    let subject = ssr::subject(scope, &filter);
    let op = crate::guard::Op::begin(crate::policy::Action::AuditRead, subject).await?;
    Ok(op.state.audit.page(&filter).await?)
}

/// Walks the whole chain and reports the first broken link (administrators).
#[server]
pub async fn verify_audit() -> Result<VerifyReport, AppError> {
    use crate::guard::{Op, Subject};
    let subject = Subject::platform(
        crate::audit::Target::new("audit", "", "audit log"),
        serde_json::json!({}),
    );
    let op = Op::begin(crate::policy::Action::AuditVerify, subject).await?;
    let report = op.state.audit.verify().await.map_err(AppError::from);
    let after = report
        .as_ref()
        .ok()
        .map(|r| serde_json::json!(r))
        .unwrap_or_default();
    op.finish(report, serde_json::Value::Null, after).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::audit::{AuditFilter, Target};
    use crate::error::AppError;
    use crate::guard::Subject;
    use crate::policy::Actor;
    use crate::state::AppState;

    /// Narrows the filter to what the caller may read: administrators (and
    /// callers not signed in, whom the guard refuses) read the platform's
    /// log (`None`); a member reads one workspace's (its first by default;
    /// -1 when the slug names none).
    pub async fn scope(
        state: &AppState,
        actor: Option<&Actor>,
        mut filter: AuditFilter,
    ) -> Result<(Option<i64>, AuditFilter), AppError> {
        let Some(actor) = actor.filter(|a| !a.is_admin) else {
            return Ok((None, filter));
        };
        let slug = filter
            .workspace
            .clone()
            .or_else(|| actor.memberships.first().map(|m| m.slug.clone()));
        filter.workspace = Some(slug.clone().unwrap_or_default());
        let id = match slug {
            Some(slug) => crate::store::workspaces::id_of(&state.pool, &slug).await?,
            None => None,
        };
        Ok((Some(id.unwrap_or(-1)), filter))
    }

    /// The guard's subject for reading (or exporting) the log in `scope`.
    pub fn subject(scope: Option<i64>, filter: &AuditFilter) -> Subject<'_> {
        let target = Target::new("audit", "", "audit log");
        let params = serde_json::json!(filter);
        let workspace = filter.workspace.as_deref();
        match scope {
            None => Subject::platform(target, params),
            Some(id) => Subject::workspace(id, workspace, params).about(target),
        }
        .audited_in(workspace.unwrap_or(""))
    }
}
