//! Moving domains between hosts, and the jobs registry: each through the
//! guard; a move's audit record closes when its job ends.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::job::{JobFilter, JobView, MoveForm, MoveOptions};

/// Where the domain may move and how (its page's Move panel).
#[server]
pub async fn domain_move_options(host_id: i64, uuid: String) -> Result<MoveOptions, AppError> {
    use crate::guard::{Op, Subject};
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = Subject::existing_domain(found.as_ref(), &uuid, serde_json::json!({}));
    let (op, row) = Op::begin(crate::policy::Action::DomainRead, subject)
        .await?
        .found(found)
        .await?;
    crate::service::mobility::options(&op.state, &row).await
}

/// Moves the domain to another host — live when it runs, offline when it
/// is shut off — after the pre-checks; the job's id. The move goes on as a
/// job that every allowed tab follows.
#[server]
pub async fn migrate_domain(host_id: i64, uuid: String, form: MoveForm) -> Result<i64, AppError> {
    use crate::guard::{Op, Subject};
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = Subject::existing_domain(found.as_ref(), &uuid, serde_json::json!(form));
    let (op, row) = Op::begin(crate::policy::Action::DomainMigrate, subject)
        .await?
        .found(found)
        .await?;
    crate::service::mobility::start(op, row, form).await
}

/// The newest jobs the caller may see, filtered.
#[server]
pub async fn list_jobs(filter: JobFilter) -> Result<Vec<JobView>, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(crate::policy::Action::JobList, Subject::list("job")).await?;
    crate::service::jobs::list(&op.state, &op.actor, &filter).await
}

/// Cancels a running job where libvirt can (a live migration is aborted
/// and the domain stays on its host).
#[server]
pub async fn cancel_job(id: i64) -> Result<(), AppError> {
    use crate::guard::{Op, Subject};
    let state = crate::state::app_state()?;
    let job = crate::service::jobs::get(&state, id).await?;
    let target = crate::audit::Target::new(
        "job",
        id.to_string(),
        job.as_ref().map(|j| j.domain_name.as_str()).unwrap_or(""),
    );
    let workspace = job.as_ref().and_then(|j| j.workspace.as_deref());
    let subject = Subject::domain(workspace, target, serde_json::json!({ "job": id }));
    let (op, job) = Op::begin(crate::policy::Action::JobCancel, subject)
        .await?
        .found(job)
        .await?;
    let before = serde_json::json!({ "state": job.state.as_str() });
    let result = crate::service::mobility::cancel(&op.state, &job);
    op.finish(result, before, serde_json::json!({ "cancel": "asked" }))
        .await
}
