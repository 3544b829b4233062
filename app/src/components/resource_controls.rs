//! Controls shared by the storage and network pages: a host picker, a
//! select with its rule message, and one-button row actions.

use leptos::prelude::*;

use leptos_router::hooks::use_query_map;

use crate::error::AppError;
use crate::i18n::{use_i18n, Key};

/// The rule message of a `<select>` (which [`crate::components::field::Field`]
/// does not render).
#[component]
pub fn SelectError(
    /// The form field's name.
    name: &'static str,
    /// The form action's last error.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i = use_i18n();
    move || {
        error.get().and_then(|e| e.field_key(name)).map(|k| {
            view! { <span class="field__error" role="alert" data-field-error=name>{i.t(k)}</span> }
        })
    }
}

/// A `<select name="host_id">` of the connected hosts the caller sees.
#[component]
pub fn HostSelect(
    /// Element id, so several forms can have one.
    id: &'static str,
    /// The form action's last error.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i = use_i18n();
    let hosts = Resource::new(|| (), |_| crate::api::hosts::list_hosts());
    view! {
        <div class="field">
            <label class="field__label" for=id>{i.t(Key::ColHost)}</label>
            <select id=id name="host_id">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        hosts.await.unwrap_or_default().into_iter().map(|h| view! {
                            <option value=h.id.to_string()>{h.name}</option>
                        }).collect_view()
                    })}
                </Transition>
            </select>
            <SelectError name="host_id" error />
        </div>
    }
}

/// The inside of a one-button row `ActionForm`: the hidden fields, then
/// the button, disabled (and saying so) while the action runs.
#[component]
pub fn RowButton(
    /// Hidden `(name, value)` fields the server function takes.
    fields: Vec<(&'static str, String)>,
    /// Button text.
    label: Key,
    /// `data-action` attribute, for tests.
    marker: &'static str,
    /// Red button for destructive actions.
    #[prop(optional)]
    danger: bool,
) -> impl IntoView {
    let i = use_i18n();
    view! {
        {fields.into_iter().map(|(name, value)| view! {
            <input type="hidden" name=name value=value />
        }).collect_view()}
        <button
            class=if danger { "btn btn--small btn--danger" } else { "btn btn--small" }
            type="submit"
            data-action=marker
        >
            {i.t(label)}
        </button>
    }
}

/// `?host=<id>&<key>=<name>` from the address: the host and the pool or
/// network whose details are open.
pub fn selected_in_query(key: &'static str) -> Memo<Option<(i64, String)>> {
    let params = use_query_map();
    Memo::new(move |_| {
        let p = params.read();
        let host = p.get("host").and_then(|h| h.parse::<i64>().ok());
        host.zip(p.get(key).filter(|n| !n.is_empty()))
    })
}

/// The error of whichever of two row actions failed last.
pub fn row_error(
    a: impl Fn() -> Option<Result<(), AppError>>,
    b: impl Fn() -> Option<Result<(), AppError>>,
) -> Option<AppError> {
    a().and_then(Result::err)
        .or_else(|| b().and_then(Result::err))
}
