//! Sign-in. Works without JavaScript: the form posts, the server redirects.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::auth::Login;
use crate::components::field::Field;
use crate::components::notes::ErrorNote;
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};

#[component]
pub fn LoginPage() -> impl IntoView {
    let i = use_i18n();
    // Only reads the error a failed sign-in left in the URL.
    let login = crate::flash::action::<Login>();
    let login_path = <Login as leptos::server_fn::ServerFn>::PATH;
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".into());
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    let note = move || error.get().filter(|e| !matches!(e, AppError::Invalid(_)));
    view! {
        <section class="card login">
            <h1>{i.t(Key::SignInTitle)}</h1>
            // A plain form: signing in loads the next page afresh (new session,
            // live stream), with or without JavaScript.
            <form method="post" action=login_path class="form" data-form="login">
                <input type="hidden" name="next" value=next />
                <Field name="username" autocomplete="username" label=Key::FieldUsername required=true error />
                <Field name="password" kind="password" autocomplete="current-password" label=Key::FieldPassword required=true error />
                <button class="btn btn--primary" type="submit">
                    {i.t(Key::SignIn)}
                </button>
                {move || note().map(|err| view! { <ErrorNote err /> })}
            </form>
        </section>
    }
}
