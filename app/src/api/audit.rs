//! Reading, verifying and exporting the audit log.

use leptos::prelude::*;

use crate::audit::{AuditFilter, AuditRecord, VerifyReport};
use crate::error::AppError;

/// One page of the audit log. Members read their workspaces' records only:
/// without a workspace filter, their first workspace is used.
#[server]
pub async fn audit_page(filter: AuditFilter) -> Result<Vec<AuditRecord>, AppError> {
    let (op, filter) = ssr::begin_read(crate::policy::Action::AuditRead, filter).await?;
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
    use crate::guard::{Op, Subject};
    use crate::policy::{Action, Actor, Object};
    use crate::state::AppState;

    /// Narrows the filter to what the actor may read and checks the policy.
    pub async fn scope(
        state: &AppState,
        actor: Option<&Actor>,
        mut filter: AuditFilter,
    ) -> (Object<'static>, AuditFilter) {
        let Some(actor) = actor.filter(|a| !a.is_admin) else {
            return (Object::Platform, filter);
        };
        let slug = filter
            .workspace
            .clone()
            .or_else(|| actor.memberships.first().map(|m| m.slug.clone()));
        filter.workspace = Some(slug.clone().unwrap_or_default());
        let id: Option<i64> = match slug {
            Some(slug) => sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = ?")
                .bind(slug)
                .fetch_optional(&state.pool)
                .await
                .ok()
                .flatten(),
            None => None,
        };
        (Object::Workspace(id.unwrap_or(-1)), filter)
    }

    pub async fn begin_read(
        action: Action,
        filter: AuditFilter,
    ) -> Result<(Op, AuditFilter), AppError> {
        let state = crate::state::app_state()?;
        let actor = crate::guard::current_actor(&state).await?;
        let (resource, filter) = scope(&state, actor.as_ref(), filter).await;
        let subject = Subject {
            resource,
            workspace: filter.workspace.as_deref().unwrap_or(""),
            target: Target::new("audit", "", "audit log"),
            params: serde_json::json!(filter),
        };
        let op = Op::begin(action, subject).await?;
        Ok((op, filter))
    }
}
