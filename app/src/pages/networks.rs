//! The networks page: every virtual network on every host the caller may
//! see; administrators create NAT, isolated or bridged networks, start,
//! stop and delete them. `?host=<id>&net=<name>` shows its DHCP leases.

use leptos::prelude::*;

use crate::api::networks::{
    list_leases, list_networks, CreateNetwork, DeleteNetwork, NetworkAction, NetworkView,
};
use crate::components::field::Field;
use crate::components::notes::ErrorNote;
use crate::components::resource_controls::{
    row_error, selected_in_query, HostSelect, RowButton, SelectError,
};
use crate::components::session::{may, use_actor};
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};
use crate::policy::{Action, Object};

#[component]
pub fn NetworksPage() -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let selected = selected_in_query("net");
    let create = crate::flash::action::<CreateNetwork>();
    let toggle = crate::flash::action::<NetworkAction>();
    let delete = crate::flash::action::<DeleteNetwork>();
    let nets = Resource::new(|| (), |_| list_networks());
    let row_error = move || row_error(|| toggle.value().get(), || delete.value().get());
    view! {
        <h1>{i.t(Key::NetworksTitle)}</h1>
        {move || row_error().map(|err| view! { <ErrorNote err /> })}
        <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match nets.await {
                    Ok(list) => view! { <NetworkTable nets=list toggle delete /> }.into_any(),
                    Err(err) => view! { <ErrorNote err /> }.into_any(),
                }
            })}
        </Transition>
        {move || selected.get().map(|(host_id, name)| view! { <Leases host_id name /> })}
        <Transition fallback=|| ()>
            <Show when=move || may(&actor.get(), Action::NetworkCreate, &Object::Platform)>
                <CreateNetworkForm create />
            </Show>
        </Transition>
    }
}

#[component]
fn NetworkTable(
    nets: Vec<NetworkView>,
    toggle: ServerAction<NetworkAction>,
    delete: ServerAction<DeleteNetwork>,
) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    if nets.is_empty() {
        return view! { <p class="card">{i.t(Key::NoNetworks)}</p> }.into_any();
    }
    let mode_key = |mode: &str| match mode {
        "nat" => Some(Key::ModeNat),
        "isolated" => Some(Key::ModeIsolated),
        "bridge" => Some(Key::ModeBridge),
        _ => None,
    };
    let rows = nets.into_iter().map(|n| {
        let ids = vec![("host_id", n.host_id.to_string()), ("name", n.name.clone())];
        let (next, label) = if n.active { ("stop", Key::Stop) } else { ("start", Key::Start) };
        let mut toggle_fields = ids.clone();
        toggle_fields.push(("action", next.to_string()));
        let (ids, toggle_fields) = (StoredValue::new(ids), StoredValue::new(toggle_fields));
        let href = format!("/networks?host={}&net={}", n.host_id, crate::url::encode_path(&n.name));
        let mode = mode_key(&n.mode).map(|k| i.t(k).to_string()).unwrap_or(n.mode.clone());
        view! {
            <tr data-network=n.name.clone() data-host=n.host_name.clone()>
                <td>{n.host_name.clone()}</td>
                <td><strong>{n.name.clone()}</strong></td>
                <td data-network-state=if n.active { "active" } else { "inactive" }>
                    {i.t(if n.active { Key::StateActive } else { Key::StateInactive })}
                </td>
                <td data-mode=n.mode.clone()>{mode}</td>
                <td class="mono">{n.bridge.clone()}</td>
                <td class="mono">{n.cidr.clone()}</td>
                <td class="mono">{n.dhcp.clone()}</td>
                <td>{n.vlan.map(|v| v.to_string())}</td>
                <td>{i.t(if n.autostart { Key::Yes } else { Key::No })}</td>
                <td class="actions">
                    <a class="btn btn--small" href=href data-action="leases">{i.t(Key::Leases)}</a>
                    <Show when=move || may(&actor.get(), Action::NetworkOperate, &Object::Platform)>
                        <ActionForm action=toggle attr:class="inline">
                            <RowButton fields=toggle_fields.get_value() label marker=next />
                        </ActionForm>
                        <ActionForm action=delete attr:class="inline">
                            <RowButton fields=ids.get_value() label=Key::Delete marker="delete-network" danger=true />
                        </ActionForm>
                    </Show>
                </td>
            </tr>
        }
    });
    view! {
        <div class="table-wrap">
            <table class="table" data-table="networks">
                <thead>
                    <tr>
                        <th>{i.t(Key::ColHost)}</th>
                        <th>{i.t(Key::ColName)}</th>
                        <th>{i.t(Key::ColState)}</th>
                        <th>{i.t(Key::ColMode)}</th>
                        <th>{i.t(Key::ColBridge)}</th>
                        <th>{i.t(Key::ColIpRange)}</th>
                        <th>{i.t(Key::ColDhcp)}</th>
                        <th>{i.t(Key::Vlan)}</th>
                        <th>{i.t(Key::Autostart)}</th>
                        <th>{i.t(Key::ColActions)}</th>
                    </tr>
                </thead>
                <tbody>{rows.collect_view()}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The DHCP leases of one network.
#[component]
fn Leases(host_id: i64, name: String) -> impl IntoView {
    let i = use_i18n();
    let net = name.clone();
    let leases = Resource::new(|| (), move |_| list_leases(host_id, net.clone()));
    view! {
        <section class="card" data-leases=name.clone()>
            <h2>{format!("{} — {name}", i.t(Key::Leases))}</h2>
            <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match leases.await {
                        Ok(list) if list.is_empty() => view! { <p>{i.t(Key::NoLeases)}</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table">
                                <thead><tr>
                                    <th>{i.t(Key::Mac)}</th>
                                    <th>{i.t(Key::ColIp)}</th>
                                    <th>{i.t(Key::ColHostname)}</th>
                                    <th>{i.t(Key::ColExpires)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|l| view! {
                                        <tr><td class="mono">{l.mac}</td><td class="mono">{l.ip}</td>
                                        <td>{l.hostname}</td><td>{l.expires}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(err) => view! { <ErrorNote err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CreateNetworkForm(create: ServerAction<CreateNetwork>) -> impl IntoView {
    let i = use_i18n();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let note = move || error.get().filter(|e| !matches!(e, AppError::Invalid(_)));
    let done = move || matches!(create.value().get(), Some(Ok(_)));
    view! {
        <section class="card">
            <h2>{i.t(Key::CreateNetwork)}</h2>
            <ActionForm action=create attr:class="form" attr:data-form="create-network">
                <div class="form__grid">
                    <HostSelect id="network-host" error />
                    <Field name="name" label=Key::ColName placeholder="line4-nat" required=true error />
                    <div class="field">
                        <label class="field__label" for="network-mode">{i.t(Key::NetworkMode)}</label>
                        <select id="network-mode" name="mode">
                            <option value="nat">{i.t(Key::ModeNat)}</option>
                            <option value="isolated">{i.t(Key::ModeIsolated)}</option>
                            <option value="bridge">{i.t(Key::ModeBridge)}</option>
                        </select>
                        <SelectError name="mode" error />
                    </div>
                    <Field name="cidr" label=Key::FieldCidr placeholder="10.30.4.1/24" error />
                    <Field name="dhcp_start" label=Key::DhcpStart placeholder="10.30.4.100" error />
                    <Field name="dhcp_end" label=Key::DhcpEnd placeholder="10.30.4.199" error />
                    <Field name="bridge" label=Key::BridgeName placeholder="ovs-line4" error />
                    <Field name="vlan" label=Key::VlanTag placeholder="410" error />
                </div>
                <button class="btn btn--primary" type="submit">
                    {i.t(Key::Create)}
                </button>
                {move || note().map(|err| view! { <ErrorNote err /> })}
                {move || done().then(|| view! { <p class="note note--ok" role="status">{i.t(Key::Saved)}</p> })}
            </ActionForm>
        </section>
    }
}
