//! Imported utilization traces: the list everyone signed in may read, and
//! removal by administrators. Import is a multipart upload
//! (`POST /history/traces`, served by the server crate) so that files of
//! any size work without JavaScript.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One imported data set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceView {
    pub name: String,
    /// The VMs (entities) it holds.
    pub vms: i64,
    /// Samples imported.
    pub samples: i64,
    /// First and last sample (`YYYY-MM-DD HH:MM UTC`); empty when none.
    pub from: String,
    pub to: String,
}

/// Every imported trace data set, the demo plant's replay among them.
#[server]
pub async fn list_traces() -> Result<Vec<TraceView>, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(crate::policy::Action::TraceList, Subject::list("trace")).await?;
    let minute = |t: Option<i64>| t.map(crate::history::chart::full_time).unwrap_or_default();
    let rows = crate::history::trace::list(&op.state.pool)
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

/// Removes an imported trace data set.
#[server]
pub async fn delete_trace(name: String) -> Result<(), AppError> {
    use crate::guard::{Op, Subject};
    let target = crate::audit::Target::new("trace", name.clone(), name.clone());
    let op = Op::begin(
        crate::policy::Action::TraceManage,
        Subject::platform(target, serde_json::Value::Null),
    )
    .await?;
    let result = match crate::history::trace::remove(&op.state.pool, &name).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::field("name", crate::i18n::Key::ErrNotFound)),
        Err(e) => {
            tracing::error!(error = %e, "trace delete");
            Err(AppError::Internal)
        }
    };
    op.finish(
        result,
        serde_json::json!({ "name": name }),
        serde_json::Value::Null,
    )
    .await
}
