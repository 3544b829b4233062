//! The jobs registry at run time: a job is a row in SQLite (`store::jobs`)
//! from its start, its progress and end are written there and pushed to
//! the pages that may see it; a cancel handle lives here while it runs. At
//! start, jobs a stopped server left open are marked interrupted and their
//! real end is read back from libvirt ([`reconcile_interrupted`]).

mod lanes;
mod pause;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::audit::{AuditEntry, Outcome, Target};
use crate::error::AppError;
use crate::live::Scope;
use crate::model::job::{JobKind, JobState, JobView, MigrationFigures};
use crate::state::AppState;
use crate::store::jobs::{End, NewJob};

/// The jobs running in this process: their cancel handles and the
/// workspace each is about (`None`: a host's, the administrators').
#[derive(Clone, Default)]
pub struct Jobs {
    running: Arc<Mutex<Running>>,
    /// The places of moves on each host.
    pub lanes: lanes::Lanes,
    /// The pause flags of stepped jobs (a plan's migrations).
    pub pauses: pause::Pauses,
}

pub use lanes::Places;

type Running = HashMap<i64, (Arc<Notify>, Option<String>)>;

impl Jobs {
    fn lock(&self) -> std::sync::MutexGuard<'_, Running> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks job `id` to stop; false when it does not run in this process.
    pub fn cancel(&self, id: i64) -> bool {
        match self.lock().get(&id) {
            Some((notify, _)) => {
                notify.notify_one();
                true
            }
            None => false,
        }
    }

    /// How many run that a viewer of the workspaces `slugs` sees (`None`:
    /// an administrator, who sees all) — the top bar's tray.
    pub fn running_for(&self, slugs: Option<&[String]>) -> usize {
        self.lock()
            .values()
            .filter(|(_, ws)| match (slugs, ws) {
                (None, _) => true,
                (Some(slugs), Some(ws)) => slugs.contains(ws),
                (Some(_), None) => false,
            })
            .count()
    }
}

/// Progress is pushed to pages at most this often.
const PUSH_EVERY: Duration = Duration::from_millis(500);

/// A running job: records its progress and end, and pushes each.
pub struct JobHandle {
    state: AppState,
    pub id: i64,
    host_id: i64,
    target: Option<i64>,
    uuid: String,
    workspace: Option<String>,
    cancel: Arc<Notify>,
    last_push: Option<Instant>,
}

/// The current time as the store keeps it.
pub fn now() -> String {
    crate::audit::chain::timestamp(time::OffsetDateTime::now_utc())
}

impl JobHandle {
    /// Records the job as running and tells the pages.
    pub async fn start(state: &AppState, job: NewJob<'_>) -> Result<JobHandle, AppError> {
        let id = crate::store::jobs::insert(&state.pool, &job).await?;
        let cancel = Arc::new(Notify::new());
        let workspace = job.workspace.map(str::to_string);
        state.jobs.lock().insert(id, (cancel.clone(), workspace));
        let handle = JobHandle {
            state: state.clone(),
            id,
            host_id: job.host_id,
            target: job.target_host_id,
            uuid: job.domain_uuid.to_string(),
            workspace: job.workspace.map(str::to_string),
            cancel,
            last_push: None,
        };
        handle.push(false);
        Ok(handle)
    }

    fn push(&self, progress: bool) {
        let scope = Scope::Job {
            id: self.id,
            host_id: self.host_id,
            target: self.target,
            uuid: self.uuid.clone(),
            progress,
        };
        self.state.gateway.push_job(scope, self.workspace.clone());
    }

    /// What a cancel of this job notifies.
    pub fn cancel_handle(&self) -> Arc<Notify> {
        self.cancel.clone()
    }

    /// Records the phase and figures; pushes at most every [`PUSH_EVERY`].
    pub async fn progress(&mut self, phase: &str, percent: u8, figures: &MigrationFigures) {
        let stored =
            crate::store::jobs::progress(&self.state.pool, self.id, phase, percent, figures).await;
        if let Err(err) = stored {
            tracing::warn!(job = self.id, error = %err, "job progress not recorded");
        }
        if self.last_push.is_none_or(|t| t.elapsed() >= PUSH_EVERY) {
            self.last_push = Some(Instant::now());
            self.push(true);
        }
    }

    /// Records the job as queued (`true`) or running from now, and tells
    /// the pages.
    pub async fn queued(&mut self, queued: bool) {
        let state = match queued {
            true => JobState::Queued,
            false => JobState::Running,
        };
        if let Err(err) =
            crate::store::jobs::set_state(&self.state.pool, self.id, state, &now()).await
        {
            tracing::warn!(job = self.id, error = %err, "job state not recorded");
        }
        self.push(true);
    }

    /// Records the end and tells the pages.
    pub async fn finish(
        self,
        state: JobState,
        message: Option<crate::i18n::Key>,
        figures: Option<&MigrationFigures>,
    ) {
        let end = End {
            state,
            message,
            figures,
            reconciled: false,
            ended_at: &now(),
        };
        if let Err(err) = crate::store::jobs::finish(&self.state.pool, self.id, &end).await {
            tracing::error!(job = self.id, error = %err, "job end not recorded");
        }
        self.state.jobs.lock().remove(&self.id);
        self.state.jobs.pauses.forget(self.id);
        self.push(false);
    }
}

/// A request's own long work (create, clone, snapshot, delete) as a job:
/// what it is about.
pub struct Track<'a> {
    pub kind: JobKind,
    /// 0 while not known (a create's host before placement).
    pub host_id: i64,
    pub uuid: &'a str,
    pub name: &'a str,
    pub workspace: Option<&'a str>,
}

/// What a tracked job's result says of where its domain is.
pub trait Located {
    fn located(&self) -> Option<(i64, String)> {
        None
    }
}

impl Located for () {}

impl Located for crate::model::domain::Created {
    fn located(&self) -> Option<(i64, String)> {
        Some((self.host_id, self.uuid.clone()))
    }
}

impl Located for Vec<String> {}

/// Runs `work` recorded as a job from start to end, so that every tab sees
/// it run; a job that cannot be recorded does not stop the work (its audit
/// record is the record).
pub async fn tracked<T: Located>(
    state: &AppState,
    actor: &str,
    track: Track<'_>,
    work: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let new = NewJob {
        kind: track.kind,
        host_id: track.host_id,
        target_host_id: None,
        domain_uuid: track.uuid,
        domain_name: track.name,
        workspace: track.workspace,
        actor,
        mode: crate::model::job::DiskMode::None,
        started_at: &now(),
    };
    let job = JobHandle::start(state, new).await;
    let result = work.await;
    match job {
        Ok(job) => {
            if let Some((host, uuid)) = result.as_ref().ok().and_then(Located::located) {
                let _ = crate::store::jobs::locate(&state.pool, job.id, host, &uuid).await;
            }
            let (end, message) = match &result {
                Ok(_) => (JobState::Succeeded, None),
                Err(err) => (JobState::Failed, Some(err.first_key())),
            };
            job.finish(end, message, None).await;
        }
        Err(err) => tracing::warn!(?err, "a job could not be recorded"),
    }
    result
}

/// How long after a restart an interrupted job's hosts are waited for.
const RECONCILE_WAIT: Duration = Duration::from_secs(600);

/// Marks the jobs a stopped server left open as interrupted, then finds
/// each one's real end from libvirt in the background.
pub async fn reconcile_interrupted(state: &AppState) -> Result<usize, sqlx::Error> {
    let note = crate::i18n::Key::JobInterruptedNote;
    let jobs = crate::store::jobs::interrupt_open(&state.pool, note).await?;
    let count = jobs.len();
    for job in jobs {
        let state = state.clone();
        tokio::spawn(async move { reconcile(&state, job).await });
    }
    Ok(count)
}

/// Where the domain of an interrupted move ended: on the target (done) or
/// still on the source once it runs no job there (not done).
async fn reconcile(state: &AppState, job: JobView) {
    let end_as = |end_state| async move {
        let end = End {
            state: end_state,
            message: Some(crate::i18n::Key::JobReconciledNote),
            figures: None,
            reconciled: true,
            ended_at: &now(),
        };
        if let Err(err) = crate::store::jobs::finish(&state.pool, job.id, &end).await {
            tracing::error!(job = job.id, error = %err, "reconciled job end not recorded");
        }
    };
    match job.kind {
        // Its moves are jobs of their own, each reconciled; the host stays
        // as it was (entering maintenance) for the operator to decide.
        JobKind::Drain | JobKind::MoveBack | JobKind::Failover | JobKind::Plan => {
            return end_as(JobState::Failed).await
        }
        // What a snapshot job did is not told by libvirt afterwards.
        JobKind::Snapshot => return end_as(JobState::Interrupted).await,
        JobKind::Create | JobKind::Clone | JobKind::Delete => {
            let done = by_presence(state, &job).await;
            return end_as(if done {
                JobState::Succeeded
            } else {
                JobState::Failed
            })
            .await;
        }
        JobKind::MigrateLive | JobKind::MoveOffline => {}
    }
    let gateway = &state.gateway;
    let (source, uuid) = (job.host_id, job.domain_uuid.as_str());
    let target = job.target_host_id.unwrap_or(source);
    let settled = gateway
        .wait_until(RECONCILE_WAIT, |inv| {
            let on = |h: i64| inv.domain(h, uuid).is_some();
            let connected = |h: i64| {
                inv.hosts
                    .get(&h)
                    .is_some_and(|h| h.state == crate::model::host::HostState::Connected)
            };
            connected(source) && connected(target) && (on(source) || on(target))
        })
        .await;
    if !settled {
        tracing::warn!(job = job.id, "interrupted job: its hosts did not answer");
        return;
    }
    // A migration the source still runs goes on without us: wait for it.
    let deadline = Instant::now() + RECONCILE_WAIT;
    while Instant::now() < deadline {
        match gateway.job_progress(source, uuid).await {
            Ok(Some(_)) => tokio::time::sleep(Duration::from_millis(500)).await,
            _ => break,
        }
    }
    let landed = gateway
        .wait_until(Duration::from_secs(10), |inv| {
            inv.domain(target, uuid).is_some() && inv.domain(source, uuid).is_none()
        })
        .await;
    let (end_state, outcome) = match landed {
        true => (JobState::Succeeded, Outcome::Ok),
        false => (JobState::Failed, Outcome::Failed),
    };
    let note = crate::i18n::Key::JobReconciledNote;
    let end = End {
        state: end_state,
        message: Some(note),
        figures: None,
        reconciled: true,
        ended_at: &now(),
    };
    if let Err(err) = crate::store::jobs::finish(&state.pool, job.id, &end).await {
        tracing::error!(job = job.id, error = %err, "reconciled job end not recorded");
        return;
    }
    let entry = AuditEntry::new(&job.actor, "server", action_name(job.kind))
        .workspace(job.workspace.clone().unwrap_or_default())
        .target(Target::new("domain", &job.domain_uuid, &job.domain_name))
        .params(serde_json::json!({ "job": job.id, "reconciled": true }))
        .outcome(outcome, note.en());
    if let Err(err) = state.audit.append(entry).await {
        tracing::error!(error = %err, "audit record could not be written");
    }
    gateway.push_job(
        Scope::Job {
            id: job.id,
            host_id: source,
            target: job.target_host_id,
            uuid: job.domain_uuid.clone(),
            progress: false,
        },
        job.workspace.clone(),
    );
}

/// Whether an interrupted create or clone made its domain (by name), or a
/// delete removed it (by UUID), once its host answers.
async fn by_presence(state: &AppState, job: &JobView) -> bool {
    let host = job.host_id;
    let connected = |inv: &crate::inventory::Inventory| {
        inv.hosts
            .values()
            .filter(|h| host == 0 || h.id == host)
            .all(|h| h.state == crate::model::host::HostState::Connected)
    };
    state.gateway.wait_until(RECONCILE_WAIT, connected).await;
    state.gateway.read(|inv| {
        let mut on = inv
            .hosts
            .values()
            .filter(|h| host == 0 || h.id == host)
            .flat_map(|h| h.domains.values());
        match job.kind {
            JobKind::Delete => !on.any(|d| d.uuid.eq_ignore_ascii_case(&job.domain_uuid)),
            _ => on.any(|d| d.name == job.domain_name),
        }
    })
}

/// The audit action a job of `kind` is recorded under.
fn action_name(kind: JobKind) -> &'static str {
    match kind {
        JobKind::MigrateLive | JobKind::MoveOffline => {
            crate::policy::Action::DomainMigrate.audit_name()
        }
        JobKind::Drain | JobKind::MoveBack => crate::policy::Action::HostMaintenance.audit_name(),
        JobKind::Failover => "domain.failover",
        JobKind::Plan => crate::policy::Action::ConsolidationApply.audit_name(),
        JobKind::Create | JobKind::Clone => crate::policy::Action::DomainCreate.audit_name(),
        JobKind::Snapshot => crate::policy::Action::DomainOperate.audit_name(),
        JobKind::Delete => crate::policy::Action::DomainDelete.audit_name(),
    }
}
