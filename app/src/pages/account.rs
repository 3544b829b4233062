//! The signed-in user's own account: change password.

use leptos::prelude::*;

use crate::api::auth::ChangePassword;
use crate::components::field::Field;
use crate::components::notes::ErrorNote;
use crate::components::session::use_actor;
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};

#[component]
pub fn AccountPage() -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let change = crate::flash::action::<ChangePassword>();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let note = move || error.get().filter(|e| !matches!(e, AppError::Invalid(_)));
    let done = move || matches!(change.value().get(), Some(Ok(())));
    view! {
        <h1>{i.t(Key::NavAccount)}</h1>
        <Transition fallback=|| ()>
            <p>{i.t(Key::SignedInAs)} " " <strong data-username>{move || actor.get().map(|a| a.username)}</strong></p>
        </Transition>
        <section class="card">
            <h2>{i.t(Key::ChangePassword)}</h2>
            <ActionForm action=change attr:class="form" attr:data-form="change-password">
                <div class="form__grid">
                    <Field name="current_password" kind="password" label=Key::FieldCurrentPassword required=true error />
                    <Field name="new_password" kind="password" label=Key::FieldNewPassword required=true error />
                </div>
                <button class="btn btn--primary" type="submit">{i.t(Key::ChangePassword)}</button>
                {move || note().map(|err| view! { <ErrorNote err /> })}
                {move || done().then(|| view! { <p class="note note--ok" role="status">{i.t(Key::PasswordChanged)}</p> })}
            </ActionForm>
        </section>
    }
}
