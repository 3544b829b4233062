//! The hosts page: every registered host with its state and facts, and the
//! form to register another.

use leptos::prelude::*;

use crate::api::hosts::{list_hosts, AddHost, RemoveHost};
use crate::components::field::Field;
use crate::components::live::LiveRegion;
use crate::components::notes::{kib, ErrorNote, HostBadge};
use crate::components::session::{may, use_actor};
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};
use crate::model::host::HostView;
use crate::policy::{Action, Object};

#[component]
pub fn HostsPage() -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let add = crate::flash::action::<AddHost>();
    let remove = crate::flash::action::<RemoveHost>();
    let hosts = Resource::new(|| (), |_| list_hosts());
    let actions = crate::components::maintenance::HostActions::default();
    view! {
        <h1>{i.t(Key::HostsTitle)}</h1>
        <crate::components::maintenance::HostActionNotes actions />
        <LiveRegion id="hosts">
            <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match hosts.await {
                        Ok(list) => view! { <HostTable hosts=list remove actions /> }.into_any(),
                        Err(err) => view! { <ErrorNote err /> }.into_any(),
                    }
                })}
            </Transition>
        </LiveRegion>
        <crate::components::jobs::RunningJobs />
        <Transition fallback=|| ()>
            <Show when=move || may(&actor.get(), Action::HostAdd, &Object::Platform)>
                <AddHostForm add />
            </Show>
        </Transition>
    }
}

#[component]
fn HostTable(
    hosts: Vec<HostView>,
    remove: ServerAction<RemoveHost>,
    actions: crate::components::maintenance::HostActions,
) -> impl IntoView {
    let i = use_i18n();
    if hosts.is_empty() {
        return view! { <p class="card">{i.t(Key::NoHosts)}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table" data-table="hosts">
                <thead>
                    <tr>
                        <th>{i.t(Key::ColName)}</th>
                        <th>{i.t(Key::ColState)}</th>
                        <th>{i.t(Key::ColCpu)}</th>
                        <th>{i.t(Key::ColMemory)}</th>
                        <th>{i.t(Key::ColVersions)}</th>
                        <th>{i.t(Key::ColDomains)}</th>
                        <th>{i.t(Key::ColActions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {hosts.into_iter().map(|h| view! { <HostRow host=h remove actions /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn HostRow(
    host: HostView,
    remove: ServerAction<RemoveHost>,
    actions: crate::components::maintenance::HostActions,
) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let facts = host.facts.clone().unwrap_or_default();
    let known = host.facts.is_some();
    let tags = host
        .tags
        .pairs()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>();
    view! {
        <tr data-host-row=host.name.clone()>
            <td>
                <strong><a href=format!("/history?host={}", host.id) data-host-history>{host.name.clone()}</a></strong>
                {host.demo.then(|| view! { <span class="badge badge--demo">{i.t(Key::Demo)}</span> })}
                <div class="muted mono">{host.uri.clone()}</div>
                <div class="tags">
                    {tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}
                </div>
            </td>
            <td>
                <HostBadge state=host.state />
                {host.last_error.map(|k| view! { <div class="muted small" data-host-error>{i.t(k)}</div> })}
                <crate::components::maintenance::MaintenanceBadge mode=host.maintenance />
                <crate::components::maintenance::PowerState host_id=host.id power=host.power.clone() actions />
                <crate::components::maintenance::Blockers blockers=host.blockers.clone() />
                <crate::components::maintenance::LostHost host_id=host.id lost=host.lost fenced=host.fenced conflicts=host.conflicts.clone() actions />
            </td>
            <td>
                {known.then(|| view! {
                    <div>{facts.cpu_model.clone()}</div>
                    <div class="muted">{format!("{} {} · {} MHz", facts.cpus, i.t(Key::Cores), facts.mhz)}</div>
                })}
            </td>
            <td>
                {known.then(|| view! {
                    <div>{kib(facts.memory_kib)}</div>
                    {facts.free_memory_kib.map(|free| view! {
                        <div class="muted">{format!("{} {}", kib(free), i.t(Key::ColFree))}</div>
                    })}
                })}
            </td>
            <td>
                {known.then(|| view! {
                    <div>{facts.hypervisor.clone()}</div>
                    <div class="muted">{format!("libvirt {}", facts.libvirt_version)}</div>
                })}
            </td>
            <td data-domains>
                {format!("{} {} / {}", host.domains_running, i.t(Key::Running), host.domains_total)}
            </td>
            <td>
                <crate::components::maintenance::MaintenanceForms host_id=host.id mode=host.maintenance actions />
                <Show when=move || may(&actor.get(), Action::HostRemove, &Object::Platform)>
                <ActionForm action=remove>
                    <input type="hidden" name="id" value=host.id />
                    <button class="btn btn--danger" type="submit">
                        {i.t(Key::Remove)}
                    </button>
                </ActionForm>
                </Show>
            </td>
        </tr>
    }
}

#[component]
fn AddHostForm(add: ServerAction<AddHost>) -> impl IntoView {
    let i = use_i18n();
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let form_note = move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid(_) | AppError::Conflict(_)))
    };
    let added = move || matches!(add.value().get(), Some(Ok(_)));
    view! {
        <section class="card">
            <h2>{i.t(Key::AddHost)}</h2>
            <p class="muted">{i.t(Key::AddHostHint)}</p>
            <ActionForm action=add attr:class="form" attr:data-form="add-host">
                <div class="form__grid">
                    <Field name="name" label=Key::FieldName placeholder="Press line 4" required=true error />
                    <Field name="uri" label=Key::FieldUri placeholder="qemu+tcp://10.20.0.5/system" required=true error />
                    <Field name="plant" label=Key::FieldPlant placeholder="Ningbo" error />
                    <Field name="area" label=Key::FieldArea placeholder="Stamping" error />
                    <Field name="line" label=Key::FieldLine placeholder="Press 4" error />
                    <Field name="cell" label=Key::FieldCell placeholder="A1" error />
                </div>
                <button class="btn btn--primary" type="submit">
                    {i.t(Key::AddHostButton)}
                </button>
                {move || form_note().map(|err| view! { <ErrorNote err /> })}
                {move || added().then(|| view! { <p class="note note--ok" role="status">{i.t(Key::HostAdded)}</p> })}
            </ActionForm>
        </section>
    }
}
