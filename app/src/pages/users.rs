//! Administering users: create, disable / re-enable, reset password.

use leptos::prelude::*;

use crate::api::users::{list_users, CreateUser, ResetPassword, SetUserDisabled};
use crate::components::field::Field;
use crate::components::notes::ErrorNote;
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};
use crate::model::user::UserView;

#[component]
pub fn UsersPage() -> impl IntoView {
    let i = use_i18n();
    let create = crate::flash::action::<CreateUser>();
    let toggle = crate::flash::action::<SetUserDisabled>();
    let reset = crate::flash::action::<ResetPassword>();
    let users = Resource::new(|| (), |_| list_users());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let reset_error = Signal::derive(move || reset.value().get().and_then(Result::err));
    view! {
        <h1>{i.t(Key::UsersTitle)}</h1>
        <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => view! { <UserTable list toggle reset /> }.into_any(),
                    Err(err) => view! { <ErrorNote err /> }.into_any(),
                }
            })}
        </Transition>
        {move || reset_error.get().map(|err| view! { <ErrorNote err /> })}
        <section class="card">
            <h2>{i.t(Key::CreateUser)}</h2>
            <ActionForm action=create attr:class="form" attr:data-form="create-user">
                <div class="form__grid">
                    <Field name="username" label=Key::FieldUsername required=true error />
                    <Field name="password" kind="password" label=Key::FieldNewPassword required=true error />
                </div>
                <label class="check"><input type="checkbox" name="admin" value="on" />" " {i.t(Key::FieldAdmin)}</label>
                <button class="btn btn--primary" type="submit">{i.t(Key::Create)}</button>
                {move || error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|err| view! { <ErrorNote err /> })}
            </ActionForm>
        </section>
    }
}

#[component]
fn UserTable(
    list: Vec<UserView>,
    toggle: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetPassword>,
) -> impl IntoView {
    let i = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table" data-table="users">
                <thead><tr>
                    <th>{i.t(Key::FieldUsername)}</th><th>{i.t(Key::ColRole)}</th><th>{i.t(Key::ColState)}</th>
                    <th>{i.t(Key::ColCreated)}</th><th>{i.t(Key::ColActions)}</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|u| view! {
                        <tr data-user=u.username.clone()>
                            <td>{u.username.clone()}</td>
                            <td>{u.is_admin.then(|| i.t(Key::Administrator))}</td>
                            <td>{i.t(if u.disabled { Key::Disabled } else { Key::Active })}</td>
                            <td class="muted">{u.created_at.clone()}</td>
                            <td class="actions">
                                <ActionForm action=toggle>
                                    <input type="hidden" name="id" value=u.id />
                                    <input type="hidden" name="disabled" value=(!u.disabled).to_string() />
                                    <button class="btn" type="submit">{i.t(if u.disabled { Key::Enable } else { Key::Disable })}</button>
                                </ActionForm>
                                <ActionForm action=reset attr:class="inline">
                                    <input type="hidden" name="id" value=u.id />
                                    <input type="password" name="password" aria-label=i.t(Key::FieldNewPassword) placeholder=i.t(Key::FieldNewPassword) />
                                    <button class="btn" type="submit">{i.t(Key::ResetPassword)}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
