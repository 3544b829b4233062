//! The consolidation plan and the cost model: read by everyone signed in
//! (domain names of other workspaces left out), the cost model edited by
//! administrators. Each through the guard.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::consolidation::{CostForm, CostModel, PlanQuery, PlanView, SavingsReport};

/// The plan of the live fleet for `query` (an empty data set: the
/// collected history, or the imported trace the domains replay).
#[server]
pub async fn consolidation_plan(query: PlanQuery) -> Result<PlanView, AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};
    let subject = Subject::platform(
        Target::new("consolidation", "", ""),
        serde_json::json!(query),
    );
    let op = Op::begin(crate::policy::Action::ConsolidationRead, subject).await?;
    crate::service::consolidation::plan(&op.state, &op.actor, &query).await
}

/// Applies the plan of `query` that the administrator read (`token`),
/// once confirmed: its migrations as a job (its id), refused when the
/// fleet changed since the plan was made.
#[server]
pub async fn apply_plan(
    query: PlanQuery,
    token: String,
    #[server(default)] confirm: Option<String>,
) -> Result<i64, AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};
    let params = serde_json::json!({ "query": query, "token": token });
    let subject = Subject::platform(Target::new("consolidation", "", "plan"), params);
    let op = Op::begin(crate::policy::Action::ConsolidationApply, subject).await?;
    crate::service::consolidation::apply(op, query, &token, confirm.is_some()).await
}

/// The savings report: the plan at its defaults and each workspace's
/// showback over the last `window_days` (members: their workspaces').
#[server]
pub async fn savings(window_days: u32) -> Result<SavingsReport, AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};
    let params = serde_json::json!({ "window_days": window_days });
    let subject = Subject::platform(Target::new("savings", "", ""), params);
    let op = Op::begin(crate::policy::Action::ConsolidationRead, subject).await?;
    crate::service::savings::report(&op.state, &op.actor, window_days).await
}

/// The cost model.
#[server]
pub async fn get_cost_model() -> Result<CostModel, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(
        crate::policy::Action::CostModelRead,
        Subject::list("cost_model"),
    )
    .await?;
    crate::service::consolidation::cost_model(&op.state).await
}

/// Saves the cost model; the change is audited with before and after.
#[server]
pub async fn save_cost_model(form: CostForm) -> Result<(), AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};
    let subject = Subject::platform(Target::new("cost_model", "", ""), serde_json::json!(form));
    let op = Op::begin(crate::policy::Action::CostModelEdit, subject).await?;
    match crate::service::consolidation::save_cost(&op.state, &form).await {
        Ok((before, after)) => {
            op.finish(Ok(()), serde_json::json!(before), serde_json::json!(after))
                .await
        }
        Err(err) => {
            op.finish(Err(err), serde_json::Value::Null, serde_json::Value::Null)
                .await
        }
    }
}
