//! Moving an LXC container: libvirt's LXC driver has no migration, so a
//! container whose root is on storage both hosts share moves offline — it
//! is stopped (asked to shut down, forced off after [`STOP_GRACE`]), its
//! definition is defined on the target and undefined on the source, and it
//! is started there again if it was running. A step that fails puts it
//! back where it was.

use std::time::Duration;

use super::Move;
use crate::error::AppError;
use crate::gateway::Power;
use crate::gateway::Stale;
use crate::i18n::Key;
use crate::jobs::JobHandle;
use crate::model::domain::{DomainRow, DomainState};
use crate::model::job::MigrationFigures;
use crate::state::AppState;

/// How long a running container is given to shut down before it is
/// forced off.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How long a forced off may take to show.
const OFF_WAIT: Duration = Duration::from_secs(10);

/// Moves container `row` as checked in `mv`.
pub async fn relocate(
    state: &AppState,
    job: &mut JobHandle,
    row: &DomainRow,
    mv: &Move,
) -> Result<(), AppError> {
    let gateway = &state.gateway;
    let (source, uuid) = (row.host_id, row.uuid.as_str());
    let running = gateway.read(|inv| {
        inv.domain(source, uuid)
            .is_some_and(|d| d.state != DomainState::Shutoff)
    });
    let none = MigrationFigures::default();
    if running {
        job.progress("stopping", 10, &none).await;
        stop(state, source, uuid).await?;
    }
    job.progress("defining", 40, &none).await;
    let xml = gateway.definition(source, uuid).await?;
    let restart_source = || async {
        if running {
            if let Err(err) = gateway.power(source, uuid, Power::Start).await {
                tracing::warn!(uuid, ?err, "container not started again on its host");
            }
        }
    };
    if let Err(err) = gateway.define_on(mv.target, xml.clone(), false).await {
        restart_source().await;
        return Err(err);
    }
    match gateway.remove_stale(source, uuid).await {
        Ok(Stale::Removed) => {}
        other => {
            // Still defined on the source (or it runs again): the copy on
            // the target goes.
            let _ = gateway.remove_stale(mv.target, uuid).await;
            restart_source().await;
            return Err(other.err().unwrap_or(AppError::Host(Key::HostErrOther)));
        }
    }
    gateway.refresh_domain(source, uuid);
    if running {
        job.progress("starting", 70, &none).await;
        if let Err(err) = gateway.power(mv.target, uuid, Power::Start).await {
            // Back to the source, started as it was.
            let _ = gateway.remove_stale(mv.target, uuid).await;
            if let Err(back) = gateway.define_on(source, xml, true).await {
                tracing::error!(uuid, ?back, "container could not be put back on its host");
            }
            gateway.refresh_domain(source, uuid);
            return Err(err);
        }
    }
    gateway.refresh_domain(mv.target, uuid);
    Ok(())
}

/// Stops the container: a shutdown, then a forced off when it does not
/// stop within [`STOP_GRACE`].
async fn stop(state: &AppState, host: i64, uuid: &str) -> Result<(), AppError> {
    let gateway = &state.gateway;
    let off = |inv: &crate::inventory::Inventory| {
        inv.domain(host, uuid)
            .is_none_or(|d| d.state == DomainState::Shutoff)
    };
    let _ = gateway.power(host, uuid, Power::Shutdown).await;
    gateway.refresh_domain(host, uuid);
    if gateway.wait_until(STOP_GRACE, off).await {
        return Ok(());
    }
    gateway.power(host, uuid, Power::ForceOff).await?;
    gateway.refresh_domain(host, uuid);
    match gateway.wait_until(OFF_WAIT, off).await {
        true => Ok(()),
        false => Err(AppError::Host(Key::MoveContainerStop)),
    }
}
