//! Imported utilization traces: the list and removal. (Importing is the
//! history feature's: `crate::history::trace`.)

use crate::error::AppError;
use crate::i18n::Key;
use crate::model::trace::TraceView;
use crate::state::AppState;

/// Every imported trace data set, the demo plant's replay among them.
pub async fn list(state: &AppState) -> Result<Vec<TraceView>, AppError> {
    let minute = |t: Option<i64>| t.map(crate::history::chart::full_time).unwrap_or_default();
    let rows = crate::history::trace::list(&state.pool)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "trace list");
            AppError::Internal
        })?;
    Ok(rows
        .into_iter()
        .map(|(name, vms, samples, from, to)| TraceView {
            name,
            vms,
            samples,
            from: minute(from),
            to: minute(to),
        })
        .collect())
}

/// Removes the imported data set `name`.
pub async fn remove(state: &AppState, name: &str) -> Result<(), AppError> {
    match crate::history::trace::remove(&state.pool, name).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::field("name", Key::ErrNotFound)),
        Err(e) => {
            tracing::error!(error = %e, "trace delete");
            Err(AppError::Internal)
        }
    }
}
