//! A host's maintenance mode: its badge, what its drain could not move,
//! and (for administrators) enter / force / leave forms.

use leptos::prelude::*;

use crate::api::mobility::{ConfirmHostOff, EnterMaintenance, LeaveMaintenance};
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

/// Enter (drain), force, or leave (optionally moving the VMs back).
#[component]
pub fn MaintenanceForms(host_id: i64, mode: Maintenance) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let allowed = may(
        &actor.get_untracked(),
        Action::HostMaintenance,
        &Object::Platform,
    );
    let enter = crate::flash::action::<EnterMaintenance>();
    let leave = crate::flash::action::<LeaveMaintenance>();
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
            {move || enter.value().get().map(|r| match r {
                Ok(id) if id > 0 => view! { <span class="note note--ok" data-drain-started=id>{fill(i.t(Key::MaintenanceStarted), &[&id.to_string()])}</span> }.into_any(),
                Ok(_) => ().into_any(),
                Err(err) => view! { <ErrorNote err /> }.into_any(),
            })}
            {move || leave.value().get().map(|r| match r {
                Ok(_) => view! { <span class="note note--ok">{i.t(Key::MaintenanceLeft)}</span> }.into_any(),
                Err(err) => view! { <ErrorNote err /> }.into_any(),
            })}
        </div>
    })
}

/// A lost host's badge, its stale copies still running, and (for
/// administrators) the confirmation that it is powered off.
#[component]
pub fn LostHost(host_id: i64, lost: bool, fenced: bool, conflicts: Vec<String>) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let admin = may(&actor.get_untracked(), Action::HostFence, &Object::Platform);
    let confirm = crate::flash::action::<ConfirmHostOff>();
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
        {move || confirm.value().get().map(|r| match r {
            Ok(id) => view! { <span class="note note--ok" data-failover-started=id>{fill(i.t(Key::FailoverStarted), &[&id.to_string()])}</span> }.into_any(),
            Err(err) => view! { <ErrorNote err /> }.into_any(),
        })}
        {(!conflicts.is_empty()).then(|| view! {
            <div class="note note--error small" data-conflicts>
                {format!("{}: {} — {}", i.t(Key::StaleConflicts), conflicts.join(", "), i.t(Key::StaleRunning))}
            </div>
        })}
    }
}
