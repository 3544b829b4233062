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
    let (scope, filter) = crate::service::audit::scope(&state, actor.as_ref(), filter).await?;
    let subject = crate::service::audit::subject(scope, &filter);
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
