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
    let users = crate::store::users::list(&op.state.pool).await?;
    Ok(users
        .into_iter()
        .map(|u| UserView {
            id: u.id,
            username: u.username,
            is_admin: u.is_admin,
            disabled: u.disabled,
            created_at: u.created_at,
        })
        .collect())
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
    use crate::i18n::Key;

    let username = username.trim().to_string();
    let is_admin = admin.is_some();
    let params =
        serde_json::json!({ "username": username, "password": password, "admin": is_admin });
    let op = Op::begin(
        crate::policy::Action::UserCreate,
        Subject::platform(Target::new("user", "", username.clone()), params),
    )
    .await?;
    let result = async {
        let mut errors = Vec::new();
        if let Err(e) = crate::validate::username(&username) {
            errors.push(e);
        }
        if let Err(AppError::Invalid(mut e)) =
            crate::auth::check_new_password("password", &password)
        {
            errors.append(&mut e);
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let hash = crate::auth::hash_password(password).await?;
        crate::store::users::insert(&op.state.pool, &username, &hash, is_admin)
            .await?
            .ok_or_else(|| AppError::field("username", Key::ErrUsernameTaken))
    }
    .await;
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
    let result = async {
        if disabled && id == op.actor.user_id {
            return Err(AppError::field("id", crate::i18n::Key::ErrSelfDisable));
        }
        if !crate::store::users::set_disabled(&op.state.pool, id, disabled).await? {
            return Err(AppError::NotFound);
        }
        Ok(())
    }
    .await;
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
    let result = async {
        crate::auth::check_new_password("password", &password)?;
        let hash = crate::auth::hash_password(password).await?;
        if !crate::store::users::set_password(&op.state.pool, id, &hash, crate::auth::now_ms())
            .await?
        {
            return Err(AppError::NotFound);
        }
        Ok(())
    }
    .await;
    op.finish(result, serde_json::Value::Null, serde_json::Value::Null)
        .await
}
