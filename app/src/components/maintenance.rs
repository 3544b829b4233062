//! A host's maintenance mode and failover state on the Hosts page: its
//! badges, what its drain could not move, stale copies still running, and
//! (for administrators) enter / force / leave and "confirm powered off".
//! The forms' outcome shows once per page ([`HostActionNotes`]).

use leptos::prelude::*;

use crate::api::mobility::{ConfirmHostOff, EnterMaintenance, LeaveMaintenance, PowerOnHost};
use crate::components::notes::ErrorNote;
use crate::components::session::{may, use_actor};
use crate::i18n::{fill, use_i18n, Key};
use crate::model::host::{Blocker, Maintenance};
use crate::policy::{Action, Object};

/// "In maintenance" / "Entering maintenance"; nothing while in service.
#[component]
pub fn MaintenanceBadge(mode: Maintenance) -> impl IntoView {
    let i = use_i18n();
    (mode != Maintenance::Off).then(|| view! {
        <span class=format!("badge badge--maintenance-{}", mode.as_str()) data-maintenance=mode.as_str()>
            {i.t(mode.label())}
        </span>
    })
}

/// The domains a drain could not move, each with why.
#[component]
pub fn Blockers(blockers: Vec<Blocker>) -> impl IntoView {
    let i = use_i18n();
    (!blockers.is_empty()).then(|| view! {
        <div class="small" data-blockers>
            <strong>{i.t(Key::MaintenanceNotMoved)}</strong>
            <ul class="plain">
                {blockers.into_iter().map(|b| view! {
                    <li data-blocker=b.domain_name.clone() data-blocker-reason=b.reason.name()>
                        {format!("{}: {}{}", b.domain_name, i.t(b.reason),
                            if b.detail.is_empty() { String::new() } else { format!(" {}", b.detail) })}
                    </li>
                }).collect_view()}
            </ul>
        </div>
    })
}

/// The forms of the Hosts page's maintenance and failover actions, made
/// once per page so that their outcome shows once.
#[derive(Clone, Copy)]
pub struct HostActions {
    pub enter: ServerAction<EnterMaintenance>,
    pub leave: ServerAction<LeaveMaintenance>,
    pub confirm: ServerAction<ConfirmHostOff>,
    pub power_on: ServerAction<PowerOnHost>,
}

impl Default for HostActions {
    fn default() -> Self {
        HostActions {
            enter: crate::flash::action::<EnterMaintenance>(),
            leave: crate::flash::action::<LeaveMaintenance>(),
            confirm: crate::flash::action::<ConfirmHostOff>(),
            power_on: crate::flash::action::<PowerOnHost>(),
        }
    }
}

/// What the last maintenance or failover action did (once per page).
#[component]
pub fn HostActionNotes(actions: HostActions) -> impl IntoView {
    let i = use_i18n();
    let HostActions {
        enter,
        leave,
        confirm,
        power_on,
    } = actions;
    view! {
        {move || enter.value().get().map(|r| match r {
            Ok(id) if id > 0 => view! { <p class="note note--ok" data-drain-started=id>{fill(i.t(Key::MaintenanceStarted), &[&id.to_string()])}</p> }.into_any(),
            Ok(_) => ().into_any(),
            Err(err) => view! { <ErrorNote err /> }.into_any(),
        })}
        {move || leave.value().get().map(|r| match r {
            Ok(_) => view! { <p class="note note--ok" data-maintenance-left>{i.t(Key::MaintenanceLeft)}</p> }.into_any(),
            Err(err) => view! { <ErrorNote err /> }.into_any(),
        })}
        {move || power_on.value().get().map(|r| match r {
            Ok(()) => view! { <p class="note note--ok" data-powered-on>{i.t(Key::HostPoweredOn)}</p> }.into_any(),
            Err(err) => view! { <ErrorNote err /> }.into_any(),
        })}
        {move || confirm.value().get().map(|r| match r {
            Ok(id) => view! { <p class="note note--ok" data-failover-started=id>{fill(i.t(Key::FailoverStarted), &[&id.to_string()])}</p> }.into_any(),
            Err(err) => view! { <ErrorNote err /> }.into_any(),
        })}
    }
}

/// Enter (drain), force, or leave (optionally moving the VMs back).
#[component]
pub fn MaintenanceForms(host_id: i64, mode: Maintenance, actions: HostActions) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let allowed = may(
        &actor.get_untracked(),
        Action::HostMaintenance,
        &Object::Platform,
    );
    let HostActions { enter, leave, .. } = actions;
    allowed.then(|| view! {
        <div data-maintenance-forms=host_id>
            {(mode != Maintenance::On).then(|| view! {
                <ActionForm action=enter attr:class="inline" attr:data-form="maintenance-enter">
                    <input type="hidden" name="host_id" value=host_id />
                    {(mode == Maintenance::Entering).then(|| view! { <input type="hidden" name="force" value="on" /> })}
                    <button class="btn btn--small" type="submit">
                        {i.t(if mode == Maintenance::Entering { Key::MaintenanceForce } else { Key::MaintenanceEnter })}
                    </button>
                </ActionForm>
            })}
            {(mode != Maintenance::Off).then(|| view! {
                <ActionForm action=leave attr:class="inline" attr:data-form="maintenance-leave">
                    <input type="hidden" name="host_id" value=host_id />
                    <label class="check small"><input type="checkbox" name="move_back" checked /> {i.t(Key::MaintenanceMoveBack)}</label>
                    <button class="btn btn--small" type="submit">{i.t(Key::MaintenanceLeave)}</button>
                </ActionForm>
            })}
        </div>
    })
}

/// A lost host's badge, its stale copies still running, and (for
/// administrators) the confirmation that it is powered off.
#[component]
pub fn LostHost(
    host_id: i64,
    lost: bool,
    fenced: bool,
    conflicts: Vec<String>,
    actions: HostActions,
) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let admin = may(&actor.get_untracked(), Action::HostFence, &Object::Platform);
    let confirm = actions.confirm;
    view! {
        {lost.then(|| view! {
            <span class="badge badge--lost" data-lost=if fenced { "fenced" } else { "lost" } title=i.t(Key::HostLostHelp)>
                {i.t(if fenced { Key::HostFenced } else { Key::HostLost })}
            </span>
        })}
        {(lost && !fenced && admin).then(|| view! {
            <ActionForm action=confirm attr:class="inline" attr:data-form="confirm-off">
                <input type="hidden" name="host_id" value=host_id />
                <button class="btn btn--small btn--danger" type="submit">{i.t(Key::HostConfirmOff)}</button>
            </ActionForm>
        })}
        {(!conflicts.is_empty()).then(|| view! {
            <div class="note note--error small" data-conflicts>
                {format!("{}: {} — {}", i.t(Key::StaleConflicts), conflicts.join(", "), i.t(Key::StaleRunning))}
            </div>
        })}
    }
}

/// A host a plan emptied: powered down, or to be powered off by hand; and
/// (for administrators) Power on.
#[component]
pub fn PowerState(host_id: i64, power: Option<String>, actions: HostActions) -> impl IntoView {
    let i = use_i18n();
    let power_on = actions.power_on;
    power.map(|p| {
        let key = if p == "off" {
            Key::HostPoweredOff
        } else {
            Key::HostPowerManual
        };
        view! {
            <span class="badge badge--warn" data-power=p>{i.t(key)}</span>
            <ActionForm action=power_on attr:class="inline" attr:data-form="power-on">
                <input type="hidden" name="host_id" value=host_id />
                <button class="btn btn--small" type="submit">{i.t(Key::HostPowerOn)}</button>
            </ActionForm>
        }
    })
}
