//! Administering local users.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::user::UserView;

/// Every user (administrators only).
#[server]
pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(
        crate::policy::Action::UserList,
        Subject::platform(Default::default(), serde_json::json!({})),
    )
    .await?;
    crate::service::users::list(&op.state).await
}

/// Creates a user with an initial password.
#[server]
pub async fn create_user(
    username: String,
    password: String,
    #[server(default)] admin: Option<String>,
) -> Result<i64, AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};

    let username = username.trim().to_string();
    let is_admin = admin.is_some();
    let params =
        serde_json::json!({ "username": username, "password": password, "admin": is_admin });
    let op = Op::begin(
        crate::policy::Action::UserCreate,
        Subject::platform(Target::new("user", "", username.clone()), params),
    )
    .await?;
    let result = crate::service::users::create(&op.state, &username, password, is_admin).await;
    let after = serde_json::json!({ "username": username, "admin": is_admin });
    op.finish(result, serde_json::Value::Null, after).await
}

/// Disables or re-enables a user. An administrator cannot disable themself.
#[server]
pub async fn set_user_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};
    use crate::policy::Action;

    let action = if disabled {
        Action::UserDisable
    } else {
        Action::UserEnable
    };
    let params = serde_json::json!({ "disabled": disabled });
    let subject = Subject::user(id, Target::new("user", id.to_string(), ""), params);
    let op = Op::begin(action, subject).await?;
    let result = crate::service::users::set_disabled(&op.state, &op.actor, id, disabled).await;
    op.finish(
        result,
        serde_json::json!({ "disabled": !disabled }),
        serde_json::json!({ "disabled": disabled }),
    )
    .await
}

/// Sets a new password for a user.
#[server]
pub async fn reset_password(id: i64, password: String) -> Result<(), AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};
    use crate::policy::Action;

    let params = serde_json::json!({ "password": password });
    let subject = Subject::user(id, Target::new("user", id.to_string(), ""), params);
    let op = Op::begin(Action::UserResetPassword, subject).await?;
    let result = crate::service::users::reset_password(&op.state, id, password).await;
    op.finish(result, serde_json::Value::Null, serde_json::Value::Null)
        .await
}
