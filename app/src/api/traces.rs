//! Imported utilization traces: the list everyone signed in may read, and
//! removal by administrators. Import is a multipart upload
//! (`POST /history/traces`, served by the server crate) so that files of
//! any size work without JavaScript.

use leptos::prelude::*;

use crate::error::AppError;

pub use crate::model::trace::TraceView;

/// Every imported trace data set, the demo plant's replay among them.
#[server]
pub async fn list_traces() -> Result<Vec<TraceView>, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(crate::policy::Action::TraceList, Subject::list("trace")).await?;
    crate::service::traces::list(&op.state).await
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
    let result = crate::service::traces::remove(&op.state, &name).await;
    op.finish(
        result,
        serde_json::json!({ "name": name }),
        serde_json::Value::Null,
    )
    .await
}
