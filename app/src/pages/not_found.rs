use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};

#[component]
pub fn NotFound() -> impl IntoView {
    let i = use_i18n();
    // The status is the server's business: unknown paths never reach a
    // page route and are answered 404 by the fallback handler.
    view! {
        <h1>{i.t(Key::NotFoundTitle)}</h1>
        <p>{i.t(Key::NotFoundBody)}</p>
    }
}
