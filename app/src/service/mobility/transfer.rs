//! A VM's move: its unshared disks copied first when it is shut off, then
//! libvirt's migration, followed through its job statistics every
//! [`POLL`] and aborted when the job is cancelled; on success the source
//! copies of disks that now run on the target are removed.

use std::time::Duration;

use super::{copy, Move};
use crate::error::AppError;
use crate::jobs::JobHandle;
use crate::model::domain::{DomainRow, DomainState};
use crate::model::job::MigrationFigures;
use crate::state::AppState;

/// How often a running migration's statistics are read.
const POLL: Duration = Duration::from_millis(500);

/// Moves VM `row` as checked in `mv`; `last` keeps the figures last read.
pub async fn run(
    state: &AppState,
    job: &mut JobHandle,
    row: &DomainRow,
    mv: &Move,
    last: &mut MigrationFigures,
) -> Result<(), AppError> {
    let gateway = &state.gateway;
    let (source, uuid) = (row.host_id, row.uuid.as_str());
    let cancel = job.cancel_handle();
    let copied = copy::offline(state, job, mv).await;
    let copies_made = copied.is_ok() && !mv.offline_copies.is_empty();
    let mut migrate = std::pin::pin!(gateway.migrate(source, uuid, mv.spec.clone()));
    let mut ticker = tokio::time::interval(POLL);
    let mut aborting = false;
    let result = if let Err(err) = copied {
        Err(err)
    } else {
        loop {
            tokio::select! {
                done = &mut migrate => break done,
                _ = cancel.notified(), if !aborting => {
                    aborting = true;
                    if let Err(err) = gateway.abort_job(source, uuid).await {
                        tracing::warn!(job = job.id, ?err, "migration abort refused");
                    }
                }
                _ = ticker.tick(), if mv.spec.live => {
                    if let Ok(Some(f)) = gateway.job_progress(source, uuid).await {
                        let phase = match f.disk_total > 0 && f.disk_processed < f.disk_total {
                            true => "disks",
                            false => "memory",
                        };
                        job.progress(phase, f.percent(), &f).await;
                        *last = f;
                    }
                }
            }
        }
    };
    if result.is_err() && copies_made {
        // The definition did not move: the disks copied for it go.
        copy::undo(state, &mv.offline_copies).await;
    }
    if result.is_ok() {
        // The target's own record of a migration in has its downtime (an
        // offline move has none).
        let completed = match mv.spec.live {
            true => gateway.job_completed(mv.target, uuid).await,
            false => Ok(None),
        };
        if let Ok(Some(done)) = completed {
            last.downtime_ms = done.downtime_ms.or(last.downtime_ms);
            last.data_total = last.data_total.max(done.data_total);
        }
        // The job ends once the inventory shows the domain on the target as
        // it runs there (an incoming migration is listed paused first).
        gateway.refresh_domain(mv.target, uuid);
        let live = mv.spec.live;
        gateway
            .wait_until(Duration::from_secs(10), |inv| {
                inv.domain(mv.target, uuid)
                    .is_some_and(|d| !live || d.state == DomainState::Running)
            })
            .await;
        for (pool, name) in &mv.source_copies {
            if let Err(err) = gateway.delete_volume(source, pool, name).await {
                tracing::warn!(
                    job = job.id,
                    pool,
                    name,
                    ?err,
                    "source copy of a moved disk kept"
                );
            }
        }
    }
    result
}
