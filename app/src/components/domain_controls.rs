//! Power, autostart and delete controls of a domain, shown only where the
//! policy would allow them (the server checks again).

use leptos::prelude::*;

use crate::api::fleet::{DeleteDomain, Power};
use crate::components::notes::ErrorNote;
use crate::components::session::{may, use_actor};
use crate::i18n::{use_i18n, Key};
use crate::model::domain::{DomainRow, DomainState, Limits};
use crate::policy::{Action, Object};

/// The power actions that make sense in `state`, with their labels.
pub fn power_actions(state: DomainState, autostart: bool) -> Vec<(&'static str, Key)> {
    let mut out = match state {
        DomainState::Shutoff | DomainState::Crashed => vec![("start", Key::PowerStart)],
        DomainState::Paused | DomainState::Suspended => vec![
            ("resume", Key::PowerResume),
            ("force-off", Key::PowerForceOff),
        ],
        _ => vec![
            ("shutdown", Key::PowerShutdown),
            ("reboot", Key::PowerReboot),
            ("suspend", Key::PowerSuspend),
            ("force-off", Key::PowerForceOff),
        ],
    };
    out.push(if autostart {
        ("autostart-off", Key::AutostartOff)
    } else {
        ("autostart-on", Key::AutostartOn)
    });
    out
}

#[component]
pub fn DomainControls(
    /// The domain.
    row: DomainRow,
    /// Whether it starts with its host.
    autostart: bool,
) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let power = crate::flash::action::<Power>();
    let delete = crate::flash::action::<DeleteDomain>();
    let ws = StoredValue::new(row.workspace.clone());
    let may_operate = move || {
        may(
            &actor.get(),
            Action::DomainOperate,
            &Object::Domain(ws.get_value().as_deref()),
        )
    };
    let may_delete = move || {
        may(
            &actor.get(),
            Action::DomainDelete,
            &Object::Domain(ws.get_value().as_deref()),
        )
    };
    let (host_id, uuid) = (row.host_id, StoredValue::new(row.uuid.clone()));
    let actions = StoredValue::new(power_actions(row.state, autostart));
    let error = move || {
        power
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
    };
    view! {
        <Show when=may_operate>
            <section class="card" data-controls="power">
                <h2>{i.t(Key::Actions)}</h2>
                <div class="toolbar">
                    {actions.get_value().into_iter().map(|(action, label)| view! {
                        <PowerButton power host_id uuid=uuid.get_value() action label />
                    }).collect_view()}
                </div>
                <p class="muted busy-note" role="status" data-progress="power">{i.t(Key::Working)}</p>
                {move || error().map(|err| view! { <ErrorNote err /> })}
                // The guest ignored the ACPI request: offer the hard way.
                <Show when=move || power.value().get().and_then(Result::err).is_some_and(|e| e.summary() == Key::ErrShutdownTimeout)>
                    <div class="toolbar" data-offer="force-off">
                        <PowerButton power host_id uuid=uuid.get_value() action="force-off" label=Key::PowerForceOff />
                    </div>
                </Show>
            </section>
        </Show>
        <Show when=may_delete>
            // Open again when the delete was refused, to show why.
            <details class="card danger" data-controls="delete" open=move || delete.value().get().is_some_and(|r| r.is_err())>
                <summary>{i.t(Key::DeleteDomain)}</summary>
                <ActionForm action=delete attr:class="inline" attr:data-form="delete">
                    <input type="hidden" name="host_id" value=host_id />
                    <input type="hidden" name="uuid" value=uuid.get_value() />
                    <input name="confirm" placeholder=i.t(Key::DeleteConfirmHint) aria-label=i.t(Key::DeleteConfirmHint) autocomplete="off" />
                    <label class="check"><input type="checkbox" name="with_storage" value="on" />" " {i.t(Key::DeleteStorage)}</label>
                    <button class="btn btn--danger" type="submit">{i.t(Key::Delete)}</button>
                    {move || delete.value().get().and_then(Result::err).and_then(|e| e.field_key("confirm")).map(|k| view! {
                        <span class="field__error" role="alert" data-field-error="confirm">{i.t(k)}</span>
                    })}
                </ActionForm>
            </details>
        </Show>
    }
}

/// One power action as a form of its own (works without JavaScript).
#[component]
fn PowerButton(
    power: ServerAction<Power>,
    host_id: i64,
    uuid: String,
    action: &'static str,
    label: Key,
) -> impl IntoView {
    let i = use_i18n();
    view! {
        <ActionForm action=power attr:class="inline">
            <input type="hidden" name="host_id" value=host_id />
            <input type="hidden" name="uuid" value=uuid />
            <input type="hidden" name="action" value=action />
            <button class="btn" type="submit" data-power=action>{i.t(label)}</button>
        </ActionForm>
    }
}

/// The sandbox limits as one line.
pub fn limits_text(l: &Limits) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(v) = l.cpu_shares {
        parts.push(format!("cpu_shares={v}"));
    }
    if let Some(v) = l.cpu_quota_us {
        parts.push(format!("vcpu_quota={v}µs"));
    }
    if let Some(v) = l.cpu_period_us {
        parts.push(format!("vcpu_period={v}µs"));
    }
    if let Some(v) = l.memory_hard_limit_mib {
        parts.push(format!("hard_limit={v} MiB"));
    }
    if let Some(v) = l.blkio_weight {
        parts.push(format!("blkio_weight={v}"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}
