use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};

#[component]
pub fn NotFound() -> impl IntoView {
    let i = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <h1>{i.t(Key::NotFoundTitle)}</h1>
        <p>{i.t(Key::NotFoundBody)}</p>
    }
}
