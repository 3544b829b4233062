//! Local users: listing, creating, disabling and resetting passwords.

use crate::error::AppError;
use crate::i18n::Key;
use crate::model::user::UserView;
use crate::policy::Actor;
use crate::state::AppState;
use crate::store::users as store;

/// Every user.
pub async fn list(state: &AppState) -> Result<Vec<UserView>, AppError> {
    let users = store::list(&state.pool).await?;
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

/// A new user with an initial password; its id.
pub async fn create(
    state: &AppState,
    username: &str,
    password: String,
    is_admin: bool,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    if let Err(e) = crate::validate::username(username) {
        errors.push(e);
    }
    if let Err(AppError::Invalid(mut e)) = crate::auth::check_new_password("password", &password) {
        errors.append(&mut e);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let hash = crate::auth::hash_password(password).await?;
    store::insert(&state.pool, username, &hash, is_admin)
        .await?
        .ok_or_else(|| AppError::field("username", Key::ErrUsernameTaken))
}

/// Disables or re-enables user `id`; `by` cannot disable themself.
pub async fn set_disabled(
    state: &AppState,
    by: &Actor,
    id: i64,
    disabled: bool,
) -> Result<(), AppError> {
    if disabled && id == by.user_id {
        return Err(AppError::field("id", Key::ErrSelfDisable));
    }
    match store::set_disabled(&state.pool, id, disabled).await? {
        true => Ok(()),
        false => Err(AppError::NotFound),
    }
}

/// Sets user `id`'s password; their other sessions end.
pub async fn reset_password(state: &AppState, id: i64, password: String) -> Result<(), AppError> {
    crate::auth::check_new_password("password", &password)?;
    let hash = crate::auth::hash_password(password).await?;
    match store::set_password(&state.pool, id, &hash, crate::auth::now_ms()).await? {
        true => Ok(()),
        false => Err(AppError::NotFound),
    }
}

/// Changes `actor`'s own password, given the current one; their sessions
/// end (the caller signs its own in again).
pub async fn change_own_password(
    state: &AppState,
    actor: &Actor,
    current: String,
    new: String,
) -> Result<(), AppError> {
    crate::auth::check_new_password("new_password", &new)?;
    let user = store::by_id(&state.pool, actor.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::auth::verify_password(current, user.password_hash).await {
        return Err(AppError::field("current_password", Key::ErrBadCredentials));
    }
    let hash = crate::auth::hash_password(new).await?;
    store::set_password(&state.pool, actor.user_id, &hash, crate::auth::now_ms()).await?;
    Ok(())
}
