//! Changing an existing domain: vCPUs and memory (while off), sandbox
//! limits, and cloning. Shown where the policy allows; the server checks
//! again.

use leptos::prelude::*;

use crate::api::reconfigure::{CloneDomain, ResizeDomain, SetLimits};
use crate::components::field::Field;
use crate::components::notes::ErrorNote;
use crate::components::session::{may, use_actor};
use crate::i18n::{use_i18n, Key};
use crate::model::domain::{DomainRow, Limits};
use crate::policy::{Action, Object};

fn text<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

#[component]
pub fn Reconfigure(row: DomainRow, limits: Limits) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let ws = StoredValue::new(row.workspace.clone());
    let may_do = move |action| {
        may(
            &actor.get(),
            action,
            &Object::Domain(ws.get_value().as_deref()),
        )
    };
    let resize = crate::flash::action::<ResizeDomain>();
    let set_limits = crate::flash::action::<SetLimits>();
    let clone = crate::flash::action::<CloneDomain>();
    let resize_err = Signal::derive(move || resize.value().get().and_then(Result::err));
    let limits_err = Signal::derive(move || set_limits.value().get().and_then(Result::err));
    let clone_err = Signal::derive(move || clone.value().get().and_then(Result::err));
    let off = !row.state.is_active();
    let (host_id, uuid) = (row.host_id, StoredValue::new(row.uuid.clone()));
    let hidden = move || {
        view! {
            <input type="hidden" name="host_id" value=host_id />
            <input type="hidden" name="uuid" value=uuid.get_value() />
        }
    };
    let summary = |e: Signal<Option<crate::error::AppError>>| {
        move || {
            e.get()
                .filter(|e| !matches!(e, crate::error::AppError::Invalid(_)))
                .map(|err| view! { <ErrorNote err /> })
        }
    };
    let vcpus = row.vcpus.to_string();
    let memory = (row.memory_kib / 1024).to_string();
    let (vcpus, memory) = (StoredValue::new(vcpus), StoredValue::new(memory));
    let limits = StoredValue::new(limits);
    view! {
        <Show when=move || may_do(Action::DomainOperate)>
            <details class="card" data-controls="resize">
                <summary>{i.t(Key::Resources)}</summary>
                <p class="muted">{i.t(Key::ResourcesHint)}</p>
                <ActionForm action=resize attr:data-form="resize">
                    {hidden()}
                    <Field name="vcpus" label=Key::ColVcpus kind="number" value=vcpus.get_value() error=resize_err />
                    <Field name="memory_mib" label=Key::FieldQuotaMemory kind="number" value=memory.get_value() error=resize_err />
                    <button class="btn" type="submit" disabled=!off>{i.t(Key::Apply)}</button>
                    {move || (resize.value().get() == Some(Ok(()))).then(|| view! { <span class="note note--ok" role="status">{i.t(Key::Applied)}</span> })}
                    {summary(resize_err)}
                </ActionForm>
            </details>
            <details class="card" data-controls="limits">
                <summary>{i.t(Key::LimitsEdit)}</summary>
                <p class="muted">{i.t(Key::LimitsEditHint)}</p>
                <ActionForm action=set_limits attr:data-form="limits">
                    {hidden()}
                    <div class="form__grid">
                        <Field name="cpu_shares" label=Key::CpuShares kind="number" value=text(limits.get_value().cpu_shares) error=limits_err />
                        <Field name="cpu_quota_us" label=Key::CpuQuota kind="number" value=text(limits.get_value().cpu_quota_us) error=limits_err />
                        <Field name="cpu_period_us" label=Key::CpuPeriod kind="number" value=text(limits.get_value().cpu_period_us) error=limits_err />
                        <Field name="memory_hard_limit_mib" label=Key::MemoryHardLimit kind="number" value=text(limits.get_value().memory_hard_limit_mib) error=limits_err />
                        <Field name="blkio_weight" label=Key::BlkioWeight kind="number" value=text(limits.get_value().blkio_weight) error=limits_err />
                    </div>
                    <button class="btn" type="submit">{i.t(Key::Apply)}</button>
                    {move || (set_limits.value().get() == Some(Ok(()))).then(|| view! { <span class="note note--ok" role="status">{i.t(Key::Applied)}</span> })}
                    {summary(limits_err)}
                </ActionForm>
            </details>
        </Show>
        <Show when=move || may_do(Action::DomainCreate)>
            <details class="card" data-controls="clone">
                <summary>{i.t(Key::CloneTitle)}</summary>
                <p class="muted">{i.t(Key::CloneHint)}</p>
                <ActionForm action=clone attr:data-form="clone">
                    {hidden()}
                    <Field name="name" label=Key::CloneName required=true error=clone_err />
                    <button class="btn" type="submit" disabled=!off>{i.t(Key::CloneTitle)}</button>
                    <span class="muted busy-note" role="status" data-progress="clone">{i.t(Key::Working)}</span>
                    {move || clone.value().get().and_then(Result::ok).map(|c| view! {
                        <p class="note note--ok" role="status" data-created=c.name.clone()>{i.t(Key::CreatedOn)} " " <a href=format!("/domains/{}/{}", c.host_id, c.uuid)>{c.name.clone()}</a></p>
                    })}
                    {summary(clone_err)}
                </ActionForm>
            </details>
        </Show>
    }
}
