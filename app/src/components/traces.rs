//! Imported trace data sets on the history page: the list (everyone signed
//! in), and for administrators the import form — a plain multipart form to
//! `POST /history/traces`, so it works without WebAssembly — and delete.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::traces::{DeleteTrace, TraceView};
use crate::components::notes::ErrorNote;
use crate::components::resource_controls::RowButton;
use crate::components::session::{may, use_actor};
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};
use crate::policy::{Action, Object};

/// The list of data sets, with delete for those the policy allows.
#[component]
pub fn TraceTable(traces: Vec<TraceView>, delete: ServerAction<DeleteTrace>) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let manages = move || may(&actor.get(), Action::TraceManage, &Object::Platform);
    let error = move || delete.value().get().and_then(Result::<(), AppError>::err);
    if traces.is_empty() {
        return view! { <p data-traces-empty>{i.t(Key::TraceNone)}</p> }.into_any();
    }
    let rows = traces.into_iter().map(|t| {
        let href = format!("/history?trace={}", crate::url::encode_path(&t.name));
        let fields = StoredValue::new(vec![("name", t.name.clone())]);
        view! {
            <tr data-trace=t.name.clone()>
                <td><a href=href>{t.name.clone()}</a></td>
                <td class="num">{t.vms}</td>
                <td class="num">{t.samples}</td>
                <td>{format!("{} – {}", t.from, t.to)}</td>
                <td class="actions">
                    <Show when=manages>
                        <ActionForm action=delete attr:class="inline">
                            <RowButton fields=fields.get_value() label=Key::TraceDelete marker="delete-trace" danger=true />
                        </ActionForm>
                    </Show>
                </td>
            </tr>
        }
    });
    view! {
        {move || error().map(|err| view! { <ErrorNote err /> })}
        <div class="table-wrap">
            <table class="table" data-table="traces">
                <thead>
                    <tr>
                        <th>{i.t(Key::ColName)}</th>
                        <th>{i.t(Key::TraceVms)}</th>
                        <th>{i.t(Key::TraceSamples)}</th>
                        <th>{i.t(Key::TraceSpan)}</th>
                        <th>{i.t(Key::ColActions)}</th>
                    </tr>
                </thead>
                <tbody>{rows.collect_view()}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// What the import route reported, from the query it redirected to.
#[component]
pub fn TraceImportStatus() -> impl IntoView {
    let i = use_i18n();
    let params = use_query_map();
    move || {
        let p = params.read();
        if let Some(samples) = p.get("imported") {
            let name = p.get("trace").unwrap_or_default();
            return Some(
                view! {
                    <p class="note note--ok" role="status" data-trace-imported=name.clone()>
                        {format!("{}: {name} ({samples} {})", i.t(Key::TraceImported), i.t(Key::TraceSamples).to_lowercase())}
                    </p>
                }
                .into_any(),
            );
        }
        let key = p
            .get("trace_error")
            .and_then(|k| serde_json::from_value::<Key>(serde_json::Value::String(k)).ok())?;
        let detail = p.get("detail").unwrap_or_default();
        Some(
            view! {
                <p class="note note--error" role="alert" data-trace-error>
                    {i.t(key)}
                    {(!detail.is_empty()).then(|| view! { " " <span class="mono">{detail}</span> })}
                </p>
            }
            .into_any(),
        )
    }
}

/// The administrator's import form.
#[component]
pub fn TraceImportForm() -> impl IntoView {
    let i = use_i18n();
    view! {
        <form class="form" method="post" action="/history/traces" enctype="multipart/form-data"
            data-form="import-trace">
            <h3>{i.t(Key::TraceImport)}</h3>
            <p class="muted">{i.t(Key::TraceFilesHelp)}</p>
            <div class="form__grid">
                <div class="field">
                    <label class="field__label" for="trace-name">{i.t(Key::TraceName)}</label>
                    <input class="field__input" id="trace-name" name="name" required=true placeholder="line4-2025" />
                    <span class="muted">{i.t(Key::ErrResourceName)}</span>
                </div>
                <div class="field">
                    <label class="field__label" for="trace-files">{i.t(Key::TraceFiles)}</label>
                    <input class="field__input" id="trace-files" name="files" type="file" multiple=true required=true />
                </div>
            </div>
            <button class="btn btn--primary" type="submit">
                {i.t(Key::TraceImportButton)}
            </button>
            <span class="muted busy-note" role="status">{i.t(Key::Working)}</span>
        </form>
    }
}
