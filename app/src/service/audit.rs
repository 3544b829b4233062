//! Who reads which part of the audit log: the scope a filter is narrowed
//! to, and the guard's subject for reading or exporting it.

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
