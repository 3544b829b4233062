//! One domain: facts, disks, NICs, graphics and its XML (read-only).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::domains::fetch_domain;
use crate::components::live::LiveRegion;
use crate::components::notes::{bytes, kib, kind_key, ErrorNote, StateBadge};
use crate::i18n::{use_i18n, I18n, Key};
use crate::model::domain::DomainDetail;

#[component]
pub fn DomainPage() -> impl IntoView {
    let i = use_i18n();
    let params = use_params_map();
    let key = Memo::new(move |_| {
        let p = params.read();
        (
            p.get("host")
                .and_then(|h| h.parse::<i64>().ok())
                .unwrap_or(-1),
            p.get("uuid").unwrap_or_default(),
        )
    });
    let detail = Resource::new(move || key.get(), |(host, uuid)| fetch_domain(host, uuid));
    view! {
        <p><a href="/inventory">{i.t(Key::BackToInventory)}</a></p>
        // Refreshed only when a push names this domain (or its host, or the
        // stream reconnected), never for changes to other domains.
        <LiveRegion id="domain" domain=key.get_untracked()>
            <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(d) => view! { <Detail d /> }.into_any(),
                        Err(err) => view! { <ErrorNote err /> }.into_any(),
                    }
                })}
            </Transition>
        </LiveRegion>
        {move || {
            let (host, uuid) = key.get();
            view! { <crate::components::jobs::DomainJobs host_id=host uuid /> }
        }}
        {move || {
            let (host, uuid) = key.get();
            view! { <crate::components::history::HistoryCharts target=crate::history::view::Target::Domain { host, uuid } /> }
        }}
    }
}

fn yes_no(i: I18n, v: bool) -> &'static str {
    i.t(if v { Key::Yes } else { Key::No })
}

#[component]
fn Detail(d: DomainDetail) -> impl IntoView {
    let i = use_i18n();
    let c = d.config;
    let fact = |key: Key, value: String| view! { <dt>{i.t(key)}</dt><dd>{value}</dd> };
    let none = || view! { <p class="muted">{i.t(Key::None_)}</p> };
    view! {
        <h1 data-domain-name=d.row.name.clone()>
            {d.row.name.clone()} " " <StateBadge state=d.row.state />
        </h1>
        <section class="card">
            <h2>{i.t(Key::Facts)}</h2>
            <dl class="facts">
                {fact(Key::Uuid, d.row.uuid.clone())}
                {fact(Key::ColKind, i.t(kind_key(d.row.kind)).into())}
                {fact(Key::ColHost, d.row.host_name.clone())}
                {fact(Key::ColVcpus, d.row.vcpus.to_string())}
                {fact(Key::ColMemory, kib(d.row.memory_kib))}
                {fact(Key::Hypervisor, c.hypervisor.clone())}
                {fact(Key::OsType, format!("{} {}", c.os_type, c.arch).trim().to_string())}
                {c.init.clone().map(|init| fact(Key::InitCommand, init))}
                {fact(Key::ColWorkspace, d.row.workspace.clone().unwrap_or_else(|| i.t(Key::Unowned).into()))}
                {fact(Key::ColTags, d.row.tags.pairs().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "))}
                {fact(Key::Autostart, yes_no(i, d.autostart).into())}
                {fact(Key::Persistent, yes_no(i, d.persistent).into())}
                {fact(Key::Limits, crate::components::domain_controls::limits_text(&c.limits).unwrap_or_else(|| i.t(Key::NoLimits).into()))}
                {fact(Key::CpuTime, crate::components::notes::seconds(d.cpu_time_ns))}
            </dl>
        </section>
        <crate::components::domain_controls::DomainControls row=d.row.clone() autostart=d.autostart />
        <crate::components::reconfigure::Reconfigure row=d.row.clone() limits=c.limits.clone() />
        <crate::components::snapshots::Snapshots host_id=d.row.host_id uuid=d.row.uuid.clone() workspace=d.row.workspace.clone() />
        <crate::components::move_panel::MovePanel host_id=d.row.host_id uuid=d.row.uuid.clone() workspace=d.row.workspace.clone() />
        <crate::components::affinity_panel::AffinityPanel host_id=d.row.host_id uuid=d.row.uuid.clone() workspace=d.row.workspace.clone() />
        <AssignForm host_id=d.row.host_id uuid=d.row.uuid.clone() current=d.row.workspace.clone() />
        <section class="card">
            <h2>{i.t(Key::Disks)}</h2>
            {if c.disks.is_empty() { Some(none()) } else { None }}
            {(!c.disks.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="table" data-table="disks">
                        <thead><tr>
                            <th>{i.t(Key::Device)}</th><th>{i.t(Key::Source)}</th><th>{i.t(Key::Target)}</th>
                            <th>{i.t(Key::Bus)}</th><th>{i.t(Key::Format)}</th><th>{i.t(Key::Capacity)}</th>
                        </tr></thead>
                        <tbody>
                            {c.disks.iter().map(|disk| view! {
                                <tr data-disk=disk.target.clone()>
                                    <td>{disk.device.clone()}</td>
                                    <td class="mono">{disk.source.clone()}</td>
                                    <td class="mono">{disk.target.clone()}</td>
                                    <td>{disk.bus.clone()}</td>
                                    <td>{disk.format.clone()}</td>
                                    <td class="num">{disk.capacity.map(bytes).unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
        <section class="card">
            <h2>{i.t(Key::Nics)}</h2>
            {if c.nics.is_empty() { Some(none()) } else { None }}
            {(!c.nics.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="table" data-table="nics">
                        <thead><tr>
                            <th>{i.t(Key::Mac)}</th><th>{i.t(Key::ColKind)}</th><th>{i.t(Key::Source)}</th>
                            <th>{i.t(Key::Model)}</th><th>{i.t(Key::Vlan)}</th><th>{i.t(Key::IpAddresses)}</th>
                        </tr></thead>
                        <tbody>
                            {c.nics.iter().map(|nic| view! {
                                <tr data-nic=nic.mac.clone()>
                                    <td class="mono">{nic.mac.clone()}</td>
                                    <td>{nic.kind.clone()}</td>
                                    <td>{nic.source.clone()}</td>
                                    <td>{nic.model.clone()}</td>
                                    <td>{nic.vlan.map(|v| v.to_string()).unwrap_or_default()}</td>
                                    <td class="mono" data-nic-addresses>{nic.addresses.join(", ")}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
        <section class="card">
            <h2>{i.t(Key::Graphics)}</h2>
            {if c.graphics.is_empty() { Some(none()) } else { None }}
            <ul class="plain">
                {c.graphics.iter().map(|g| view! {
                    <li data-graphics=g.kind.clone()>
                        {format!("{} · {} {} · {} {}", g.kind.to_uppercase(), i.t(Key::Port),
                            g.port.map(|p| p.to_string()).unwrap_or_else(|| "auto".into()),
                            i.t(Key::Listen), g.listen)}
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card">
            <h2>{i.t(Key::DomainXml)}</h2>
            <pre class="xml" data-xml>{d.xml}</pre>
        </section>
    }
}

/// Assigning the domain to a workspace (administrators; adopts unowned VMs).
#[component]
fn AssignForm(host_id: i64, uuid: String, current: Option<String>) -> impl IntoView {
    use crate::components::session::{may, use_actor};
    use crate::components::workspace_select::WorkspaceSelect;
    use crate::policy::{Action, Object};
    let i = use_i18n();
    let actor = use_actor();
    let assign = crate::flash::action::<crate::api::workspaces::AssignDomain>();
    let allowed = move || may(&actor.get(), Action::DomainAssign, &Object::Domain(None));
    let uuid = StoredValue::new(uuid);
    let current = StoredValue::new(current);
    view! {
        <Show when=allowed>
            <section class="card">
                <h2>{i.t(Key::AssignWorkspace)}</h2>
                <ActionForm action=assign attr:class="inline" attr:data-form="assign">
                    <input type="hidden" name="host_id" value=host_id />
                    <input type="hidden" name="uuid" value=uuid.get_value() />
                    <WorkspaceSelect id=format!("assign-{}", uuid.get_value()) none=Some(Key::NoWorkspace) current=current.get_value() />
                    <button class="btn" type="submit">{i.t(Key::Assign)}</button>
                    {move || assign.value().get().and_then(Result::err).map(|err| view! { <ErrorNote err /> })}
                </ActionForm>
            </section>
        </Show>
    }
}
