//! Reading the jobs registry: a member sees the jobs of its workspaces'
//! domains, an administrator every job.

use crate::error::AppError;
use crate::model::job::{JobFilter, JobView};
use crate::policy::Actor;
use crate::state::AppState;

/// How many jobs a list shows (the newest).
pub const LIST_LIMIT: u32 = 200;

/// The newest jobs matching `filter` that `actor` may see.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &JobFilter,
) -> Result<Vec<JobView>, AppError> {
    let slugs = actor.visible_slugs();
    Ok(crate::store::jobs::list(&state.pool, filter, slugs.as_deref(), LIST_LIMIT).await?)
}

/// Job `id`, whoever asks (the guard rules on its workspace).
pub async fn get(state: &AppState, id: i64) -> Result<Option<JobView>, AppError> {
    Ok(crate::store::jobs::get(&state.pool, id).await?)
}
