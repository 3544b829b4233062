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
pub async fn list_jobs(#[server(default)] filter: JobFilter) -> Result<Vec<JobView>, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(crate::policy::Action::JobList, Subject::list("job")).await?;
    crate::service::jobs::list(&op.state, &op.actor, &filter).await
}

/// Cancels a running job where libvirt can (a live migration is aborted
/// and the domain stays on its host).
#[server]
pub async fn cancel_job(id: i64) -> Result<(), AppError> {
    use crate::guard::Op;
    let job = crate::service::jobs::get(&crate::state::app_state()?, id).await?;
    let subject = job_subject(id, &job, serde_json::json!({ "job": id }));
    let (op, job) = Op::begin(crate::policy::Action::JobCancel, subject)
        .await?
        .found(job)
        .await?;
    let before = serde_json::json!({ "state": job.state.as_str() });
    let result = crate::service::mobility::cancel(&op.state, &job);
    op.finish(result, before, serde_json::json!({ "cancel": "asked" }))
        .await
}

/// Pauses a plan's job between two of its moves (`paused`), or lets it go
/// on.
#[server]
pub async fn set_job_paused(id: i64, paused: bool) -> Result<(), AppError> {
    use crate::guard::Op;
    let job = crate::service::jobs::get(&crate::state::app_state()?, id).await?;
    let subject = job_subject(id, &job, serde_json::json!({ "job": id, "paused": paused }));
    let (op, job) = Op::begin(crate::policy::Action::JobCancel, subject)
        .await?
        .found(job)
        .await?;
    let result = crate::service::mobility::pause(&op.state, &job, paused);
    let after = serde_json::json!({ "paused": paused });
    op.finish(result, serde_json::Value::Null, after).await
}

/// Powers on a host that a plan powered down, with its program.
#[server]
pub async fn power_on_host(host_id: i64) -> Result<(), AppError> {
    let (subject, name) = maintenance_subject(host_id, "power on")?;
    let (op, name) = crate::guard::Op::begin(crate::policy::Action::HostMaintenance, subject)
        .await?
        .found(name)
        .await?;
    crate::service::power::power_on(op, host_id, &name).await
}

/// Puts a host into maintenance: its domains are moved off (a drain job;
/// its id), or with `force` it is put in maintenance as it is (0).
#[server]
pub async fn enter_maintenance(
    host_id: i64,
    #[server(default)] force: Option<String>,
) -> Result<i64, AppError> {
    let (subject, name) = maintenance_subject(host_id, "enter")?;
    let (op, _) = crate::guard::Op::begin(crate::policy::Action::HostMaintenance, subject)
        .await?
        .found(name)
        .await?;
    crate::service::maintenance::enter(op, host_id, force.is_some()).await
}

/// Takes a host out of maintenance; with `move_back`, the domains its
/// drain moved go back (a job; its id, else 0).
#[server]
pub async fn leave_maintenance(
    host_id: i64,
    #[server(default)] move_back: Option<String>,
) -> Result<i64, AppError> {
    let (subject, name) = maintenance_subject(host_id, "leave")?;
    let (op, _) = crate::guard::Op::begin(crate::policy::Action::HostMaintenance, subject)
        .await?
        .found(name)
        .await?;
    crate::service::maintenance::leave(op, host_id, move_back.is_some()).await
}

/// The guard's subject for controlling job `id` (cancel, pause).
#[cfg(feature = "ssr")]
fn job_subject<'a>(
    id: i64,
    job: &'a Option<crate::model::job::JobView>,
    params: serde_json::Value,
) -> crate::guard::Subject<'a> {
    let target = crate::audit::Target::new(
        "job",
        id.to_string(),
        job.as_ref().map(|j| j.domain_name.as_str()).unwrap_or(""),
    );
    let workspace = job.as_ref().and_then(|j| j.workspace.as_deref());
    crate::guard::Subject::domain(workspace, target, params)
}

/// The guard's subject for a maintenance change of `host_id`, with the
/// host's name (`None`: no such host).
#[cfg(feature = "ssr")]
fn maintenance_subject(
    host_id: i64,
    what: &str,
) -> Result<(crate::guard::Subject<'static>, Option<String>), AppError> {
    let state = crate::state::app_state()?;
    let name = state
        .gateway
        .read(|inv| inv.hosts.get(&host_id).map(|h| h.name.clone()));
    let target = crate::audit::Target::new(
        "host",
        host_id.to_string(),
        name.clone().unwrap_or_default(),
    );
    let params = serde_json::json!({ "maintenance": what });
    Ok((crate::guard::Subject::platform(target, params), name))
}

/// Marks the domain highly available (`on` present) or not.
#[server]
pub async fn set_ha(
    host_id: i64,
    uuid: String,
    #[server(default)] on: Option<String>,
) -> Result<(), AppError> {
    use crate::guard::{Op, Subject};
    let on = on.is_some();
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = Subject::existing_domain(found.as_ref(), &uuid, serde_json::json!({ "ha": on }));
    let (op, row) = Op::begin(crate::policy::Action::DomainHa, subject)
        .await?
        .found(found)
        .await?;
    let result = crate::service::failover::set_ha(&op.state, &row, on).await;
    op.finish(
        result,
        serde_json::Value::Null,
        serde_json::json!({ "ha": on }),
    )
    .await
}

/// An administrator confirms that a lost host is powered off: its highly
/// available VMs are restarted on other hosts (a job; its id).
#[server]
pub async fn confirm_host_off(host_id: i64) -> Result<i64, AppError> {
    let (subject, name) = maintenance_subject(host_id, "confirm powered off")?;
    let (op, _) = crate::guard::Op::begin(crate::policy::Action::HostFence, subject)
        .await?
        .found(name)
        .await?;
    let by = op.actor.username.clone();
    let result = crate::service::failover::confirm_off(&op.state, &by, host_id).await;
    let after = serde_json::json!({ "fenced": result.is_ok(), "job": result.as_ref().ok() });
    op.finish(result, serde_json::Value::Null, after).await
}
