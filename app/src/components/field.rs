//! A labelled form input with its rule message next to it.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{use_i18n, Key};

/// A text input for an `ActionForm`; its `name` is the server function's
/// argument. Shows the server's message for this field, if any.
#[component]
pub fn Field(
    /// Input name, matching the server function argument.
    name: &'static str,
    /// Label text.
    label: Key,
    /// Example value shown when empty.
    #[prop(optional)]
    placeholder: &'static str,
    /// Whether the field must be filled in.
    #[prop(optional)]
    required: bool,
    /// Input type; text when not given.
    #[prop(optional)]
    kind: Option<&'static str>,
    /// Autocomplete hint for password managers.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// Initial value.
    #[prop(optional, into)]
    value: Option<String>,
    /// The last error of the form's action.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i = use_i18n();
    let message = move || error.get().and_then(|e| e.field_key(name));
    let id = format!("field-{name}");
    view! {
        <div class="field" class:field--invalid=move || message().is_some()>
            <label class="field__label" for=id.clone()>{i.t(label)}</label>
            <input
                class="field__input"
                id=id
                name=name
                type=kind.unwrap_or("text")
                autocomplete=autocomplete
                placeholder=placeholder
                value=value
                required=required
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
            />
            {move || {
                message()
                    .map(|k| {
                        view! {
                            <span class="field__error" role="alert" data-field-error=name>
                                {i.t(k)}
                            </span>
                        }
                    })
            }}
        </div>
    }
}
