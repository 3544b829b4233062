//! One pool's volumes: list, create, grow, delete, and upload a file as a
//! plain multipart form to `POST /storage/upload` (works without wasm).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::volumes::{
    list_volumes, AssignVolume, CreateVolume, DeleteVolume, ResizeVolume, VolumeView,
};
use crate::components::field::Field;
use crate::components::notes::{bytes, ErrorNote};
use crate::components::resource_controls::{RowButton, SelectError};
use crate::components::session::use_actor;
use crate::components::workspace_select::WorkspaceSelect;
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};

/// Whether the actor might change volumes (the server decides per pool).
fn may_change(actor: Signal<Option<crate::policy::Actor>>) -> bool {
    actor
        .get()
        .is_some_and(|a| a.is_admin || a.memberships.iter().any(|m| m.role.operates()))
}

#[component]
pub fn PoolVolumes(
    /// The pool's host.
    host_id: i64,
    /// The pool's name.
    pool: String,
) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let create = crate::flash::action::<CreateVolume>();
    let resize = crate::flash::action::<ResizeVolume>();
    let delete = crate::flash::action::<DeleteVolume>();
    let assign = crate::flash::action::<AssignVolume>();
    let name = pool.clone();
    let volumes = Resource::new(|| (), move |_| list_volumes(host_id, name.clone()));
    let row_error = move || {
        let last = |v: Option<Result<(), AppError>>| v.and_then(Result::err);
        last(resize.value().get())
            .or_else(|| last(delete.value().get()))
            .or_else(|| last(assign.value().get()))
    };
    let p = pool.clone();
    view! {
        <section class="card" data-volumes=pool.clone()>
            <h2>{format!("{} — {}", i.t(Key::Volumes), pool)}</h2>
            <UploadStatus />
            {move || row_error().map(|e| view! {
                <p class="note note--error" role="alert" data-row-error>{i.t(e.first_key())}</p>
            })}
            <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
                {move || {
                    let pool = p.clone();
                    Suspend::new(async move {
                        match volumes.await {
                            Ok(list) => view! { <VolumeTable host_id pool volumes=list actions=(resize, delete, assign) /> }.into_any(),
                            Err(err) => view! { <ErrorNote err /> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
        <Transition fallback=|| ()>
            <Show when=move || may_change(actor)>
                <CreateVolumeForm host_id pool=pool.clone() create />
                <UploadForm host_id pool=pool.clone() />
            </Show>
        </Transition>
    }
}

/// What the upload route reported, from the query it redirected to.
#[component]
fn UploadStatus() -> impl IntoView {
    let i = use_i18n();
    let params = use_query_map();
    move || {
        let p = params.read();
        if let Some(name) = p.get("uploaded") {
            return Some(
                view! {
                    <p class="note note--ok" role="status" data-uploaded=name.clone()>
                        {format!("{} {name}", i.t(Key::Uploaded))}
                    </p>
                }
                .into_any(),
            );
        }
        let key = p
            .get("upload_error")
            .and_then(|k| serde_json::from_value::<Key>(serde_json::Value::String(k)).ok())?;
        Some(
            view! { <p class="note note--error" role="alert" data-upload-error>{i.t(key)}</p> }
                .into_any(),
        )
    }
}

#[component]
fn VolumeTable(
    host_id: i64,
    pool: String,
    volumes: Vec<VolumeView>,
    actions: (
        ServerAction<ResizeVolume>,
        ServerAction<DeleteVolume>,
        ServerAction<AssignVolume>,
    ),
) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let (resize, delete, assign) = actions;
    let is_admin = move || actor.get().is_some_and(|a| a.is_admin);
    if volumes.is_empty() {
        return view! { <p>{i.t(Key::NoVolumes)}</p> }.into_any();
    }
    let rows = volumes.into_iter().map(|v| {
        let ids = vec![
            ("host_id", host_id.to_string()),
            ("pool", pool.clone()),
            ("name", v.name.clone()),
        ];
        let ids = StoredValue::new(ids);
        let mut used = v.used_by.clone();
        if v.used_elsewhere > 0 {
            used.push(format!("{} ({})", i.t(Key::UsedByOtherWorkspaces), v.used_elsewhere));
        }
        let used = used.join(", ");
        let owner = v.owner.clone();
        let current = StoredValue::new(owner.clone());
        let owner_text = owner.clone().unwrap_or_else(|| i.t(Key::PlantVolume).to_string());
        view! {
            <tr data-volume=v.name.clone() data-owner=owner.clone().unwrap_or_default()>
                <td><strong>{v.name.clone()}</strong></td>
                <td>{owner_text}</td>
                <td>{v.format.clone()}</td>
                <td data-capacity=v.capacity>{bytes(v.capacity)}</td>
                <td>{bytes(v.allocation)}</td>
                <td class="mono">{v.path.clone()}</td>
                <td>{used}</td>
                <td class="actions">
                    <Show when=move || may_change(actor)>
                        <ActionForm action=resize attr:class="inline" attr:data-form="resize">
                            <input class="field__input field__input--narrow" name="gib" inputmode="numeric"
                                aria-label=i.t(Key::NewSizeGib) placeholder=i.t(Key::NewSizeGib) />
                            <RowButton fields=ids.get_value() label=Key::Resize marker="resize" />
                        </ActionForm>
                        <ActionForm action=delete attr:class="inline">
                            <RowButton fields=ids.get_value() label=Key::Delete marker="delete-volume" danger=true />
                        </ActionForm>
                    </Show>
                    <Show when=is_admin>
                        <ActionForm action=assign attr:class="inline" attr:data-form="assign-volume">
                            <WorkspaceSelect id=format!("assign-{}", ids.get_value()[2].1) none=Some(Key::PlantVolume) current=current.get_value() />
                            <RowButton fields=ids.get_value() label=Key::Assign marker="assign-volume" />
                        </ActionForm>
                    </Show>
                </td>
            </tr>
        }
    });
    view! {
        <div class="table-wrap">
            <table class="table" data-table="volumes">
                <thead>
                    <tr>
                        <th>{i.t(Key::ColName)}</th>
                        <th>{i.t(Key::Workspace)}</th>
                        <th>{i.t(Key::ColFormat)}</th>
                        <th>{i.t(Key::ColCapacity)}</th>
                        <th>{i.t(Key::ColAllocation)}</th>
                        <th>{i.t(Key::ColPath)}</th>
                        <th>{i.t(Key::ColUsedBy)}</th>
                        <th>{i.t(Key::ColActions)}</th>
                    </tr>
                </thead>
                <tbody>{rows.collect_view()}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn CreateVolumeForm(
    host_id: i64,
    pool: String,
    create: ServerAction<CreateVolume>,
) -> impl IntoView {
    let i = use_i18n();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let note = move || error.get().filter(|e| !matches!(e, AppError::Invalid(_)));
    view! {
        <section class="card">
            <h2>{i.t(Key::CreateVolume)}</h2>
            <ActionForm action=create attr:class="form" attr:data-form="create-volume">
                <input type="hidden" name="host_id" value=host_id />
                <input type="hidden" name="pool" value=pool />
                <div class="form__grid">
                    <Field name="name" label=Key::VolumeName placeholder="historian-data.qcow2" required=true error />
                    <Field name="gib" label=Key::SizeGib placeholder="20" required=true error />
                    <div class="field">
                        <label class="field__label" for="volume-workspace">{i.t(Key::Workspace)}</label>
                        <WorkspaceSelect id="volume-workspace".to_string() none=plant_choice() current=None />
                        <SelectError name="workspace" error />
                    </div>
                    <div class="field">
                        <label class="field__label" for="volume-format">{i.t(Key::ColFormat)}</label>
                        <select id="volume-format" name="format">
                            <option value="qcow2">"qcow2"</option>
                            <option value="raw">"raw"</option>
                        </select>
                        <SelectError name="format" error />
                    </div>
                </div>
                <button class="btn btn--primary" type="submit">
                    {i.t(Key::Create)}
                </button>
                {move || note().map(|err| view! { <ErrorNote err /> })}
            </ActionForm>
        </section>
    }
}

/// A plain multipart form: the file streams to the server without wasm.
/// The file comes last, so the server has decided before it reads it.
#[component]
fn UploadForm(host_id: i64, pool: String) -> impl IntoView {
    let i = use_i18n();
    view! {
        <section class="card">
            <h2>{i.t(Key::UploadIso)}</h2>
            <p class="muted">{i.t(Key::UploadHint)}</p>
            <form class="form" method="post" action="/storage/upload" enctype="multipart/form-data"
                data-form="upload">
                <input type="hidden" name="host_id" value=host_id />
                <input type="hidden" name="pool" value=pool />
                <div class="form__grid">
                    <div class="field">
                        <label class="field__label" for="upload-name">{i.t(Key::VolumeName)}</label>
                        <input class="field__input" id="upload-name" name="name" required=true placeholder="debian-12.iso" />
                    </div>
                    <div class="field">
                        <label class="field__label" for="upload-workspace">{i.t(Key::Workspace)}</label>
                        <WorkspaceSelect id="upload-workspace".to_string() none=plant_choice() current=None />
                    </div>
                    <div class="field">
                        <label class="field__label" for="upload-file">{i.t(Key::UploadFile)}</label>
                        <input class="field__input" id="upload-file" name="file" type="file" required=true />
                    </div>
                </div>
                <button class="btn btn--primary" type="submit">{i.t(Key::UploadButton)}</button>
                <span class="muted busy-note" role="status">{i.t(Key::Uploading)}</span>
            </form>
        </section>
    }
}

/// The "plant" choice for a new volume: administrators only (a member's
/// volume always belongs to one of its workspaces).
fn plant_choice() -> Option<Key> {
    use_actor()
        .get_untracked()
        .is_some_and(|a| a.is_admin)
        .then_some(Key::PlantVolume)
}
