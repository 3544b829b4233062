//! A shut-off VM's disks on storage only its host sees are copied to the
//! target through libvirt's storage API before its definition moves; the
//! job shows the bytes copied. A copy that does not end in a move is
//! removed from the target again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::Move;
use crate::error::AppError;
use crate::jobs::JobHandle;
use crate::model::job::MigrationFigures;
use crate::state::AppState;

/// How often a copy's progress is recorded.
const POLL: Duration = Duration::from_millis(500);

/// Copies every volume of `mv.offline_copies`, recording progress; on a
/// failure the copies already made are removed.
pub async fn offline(state: &AppState, job: &mut JobHandle, mv: &Move) -> Result<(), AppError> {
    if mv.offline_copies.is_empty() {
        return Ok(());
    }
    let mut total = 0u64;
    for c in &mv.offline_copies {
        total += state
            .gateway
            .volume_size(c.from_host, &c.from_pool, &c.name)
            .await
            .unwrap_or(0);
    }
    let done = Arc::new(AtomicU64::new(0));
    for (made, c) in mv.offline_copies.iter().enumerate() {
        let mut copy = std::pin::pin!(state.gateway.copy_volume(c.clone(), done.clone()));
        let mut ticker = tokio::time::interval(POLL);
        let copied = loop {
            tokio::select! {
                end = &mut copy => break end,
                _ = ticker.tick() => {
                    let bytes = done.load(Ordering::Relaxed);
                    let figures = MigrationFigures {
                        disk_total: total,
                        disk_processed: bytes,
                        data_total: total,
                        data_processed: bytes,
                        data_remaining: total.saturating_sub(bytes),
                        ..MigrationFigures::default()
                    };
                    job.progress("disks", figures.percent(), &figures).await;
                }
            }
        };
        if let Err(err) = copied {
            undo(state, &mv.offline_copies[..made]).await;
            return Err(err);
        }
    }
    Ok(())
}

/// Removes copies made on the target (the move did not happen).
pub async fn undo(state: &AppState, copies: &[crate::gateway::VolumeCopy]) {
    for c in copies {
        if let Err(err) = state
            .gateway
            .delete_volume(c.to_host, &c.to_pool, &c.name)
            .await
        {
            tracing::error!(
                volume = c.name,
                ?err,
                "a copy for a move that failed was left"
            );
        }
    }
}
