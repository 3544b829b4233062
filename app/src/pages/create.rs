//! Creating a VM (from a template or custom) or a container, with host
//! placement by hand or automatic, and sandbox limits.

use leptos::prelude::*;

use crate::api::fleet::CreateDomain;
use crate::api::templates::list_templates;
use crate::components::notes::ErrorNote;
use crate::components::session::use_actor;
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};

/// One input named `form[<name>]` with its rule message.
#[component]
fn FormField(
    /// Field name inside the create form.
    name: &'static str,
    /// Label.
    label: Key,
    /// Initial value.
    #[prop(optional, into)]
    value: String,
    /// Placeholder text.
    #[prop(optional)]
    placeholder: &'static str,
    /// The create action's last error.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i = use_i18n();
    let message = move || error.get().and_then(|e| e.field_key(name));
    view! {
        <div class="field" class:field--invalid=move || message().is_some()>
            <label class="field__label" for=format!("create-{name}")>{i.t(label)}</label>
            <input class="field__input" id=format!("create-{name}") name=format!("form[{name}]") value=value placeholder=placeholder />
            {move || message().map(|k| view! { <span class="field__error" role="alert" data-field-error=name>{i.t(k)}</span> })}
        </div>
    }
}

#[component]
pub fn CreatePage() -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let create = crate::flash::action::<CreateDomain>();
    let choices = Resource::new(|| (), |_| list_templates());
    let hosts = Resource::new(|| (), |_| crate::api::hosts::list_hosts());
    let media = Resource::new(|| (), |_| crate::api::volumes::list_boot_media());
    let rules = Resource::new(|| (), |_| crate::api::affinity::list_rules());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let note = move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid(_) | AppError::Conflict(_)))
    };
    let select_message =
        move |name: &'static str| {
            move || {
                error.get().and_then(|e| e.field_key(name)).map(|k| view! {
        <span class="field__error" role="alert" data-field-error=name>{i.t(k)}</span>
    })
            }
        };
    view! {
        <h1>{i.t(Key::CreateTitle)}</h1>
        <ActionForm action=create attr:class="form card" attr:data-form="create">
            <div class="form__grid">
                <FormField name="name" label=Key::ColName placeholder="qc-vision-07" error />
                <div class="field">
                    <label class="field__label" for="create-workspace">{i.t(Key::Workspace)}</label>
                    <select id="create-workspace" name="form[workspace]">
                        <Transition fallback=|| ()>
                        {move || actor.get().map(|a| a.memberships.iter().filter(|m| m.role.operates() || a.is_admin).map(|m| view! {
                            <option value=m.slug.clone()>{m.name.clone()}</option>
                        }).collect_view())}
                        {move || actor.get().filter(|a| a.is_admin).map(|_| view! { <AllWorkspaces /> })}
                        </Transition>
                    </select>
                    {select_message("workspace")}
                </div>
                <div class="field">
                    <label class="field__label" for="create-host">{i.t(Key::ColHost)}</label>
                    <select id="create-host" name="form[host]">
                        <option value="auto">{i.t(Key::HostAuto)}</option>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                hosts.await.unwrap_or_default().into_iter().map(|h| view! {
                                    <option value=h.id.to_string()>{h.name}</option>
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                    {select_message("host")}
                </div>
                <div class="field">
                    <label class="field__label" for="create-placement">{i.t(Key::Placement)}</label>
                    <select id="create-placement" name="form[placement]">
                        <option value="">{i.t(Key::PlacementDefault)}</option>
                        <option value="spread">{i.t(Key::PlacementSpread)}</option>
                        <option value="pack">{i.t(Key::PlacementPack)}</option>
                    </select>
                    {select_message("placement")}
                </div>
                <div class="field">
                    <label class="field__label" for="create-affinity">{i.t(Key::AffinityJoin)}</label>
                    <select id="create-affinity" name="form[affinity]">
                        <option value="">{i.t(Key::AffinityJoinNone)}</option>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                rules.await.unwrap_or_default().into_iter().map(|r| {
                                    let strength = i.t(if r.must { Key::AffinityMust } else { Key::AffinityShould });
                                    view! {
                                        <option value=r.id.to_string()>{format!("{} ({}) — {}, {}", r.name, r.workspace, i.t(r.kind.label()), strength)}</option>
                                    }
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                    <span class="muted small">{i.t(Key::AffinityJoinHelp)}</span>
                    {move || error.get().and_then(|e| {
                        let key = e.field_key("affinity")?;
                        let detail = e.field_detail("affinity").map(|d| format!(" {d}")).unwrap_or_default();
                        Some(view! { <span class="field__error" role="alert" data-field-error="affinity">{format!("{}{detail}", i.t(key))}</span> })
                    })}
                </div>
                <div class="field">
                    <label class="field__label" for="create-kind">{i.t(Key::ColKind)}</label>
                    <select id="create-kind" name="form[kind]">
                        <option value="vm">{i.t(Key::KindVm)}</option>
                        <option value="container">{i.t(Key::KindContainer)}</option>
                    </select>
                </div>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let (templates, rootfs) = choices.await.unwrap_or_default();
                        view! {
                            <div class="field">
                                <label class="field__label" for="create-template">{i.t(Key::Template)}</label>
                                <select id="create-template" name="form[template]">
                                    <option value="">{i.t(Key::Custom)}</option>
                                    {templates.into_iter().map(|t| view! {
                                        <option value=t.id.to_string()>{format!("{} — {} vCPU, {} MiB, {} GiB", t.name, t.vcpus, t.memory_mib, t.disk_gib)}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label class="field__label" for="create-rootfs">{i.t(Key::RootFs)}</label>
                                <select id="create-rootfs" name="form[rootfs]">
                                    <option value="">"—"</option>
                                    {rootfs.into_iter().map(|r| view! { <option value=r.id.to_string()>{r.name}</option> }).collect_view()}
                                </select>
                            </div>
                        }
                    })}
                </Transition>
                <FormField name="vcpus" label=Key::ColVcpus value="1" error />
                <FormField name="memory_mib" label=Key::FieldQuotaMemory value="512" error />
                <FormField name="disk_gib" label=Key::FieldQuotaDisk value="0" error />
                <FormField name="pool" label=Key::Pool value="default" error />
                <FormField name="network" label=Key::Network placeholder="default" error />
                <div class="field">
                    <label class="field__label" for="create-boot">{i.t(Key::BootFrom)}</label>
                    <select id="create-boot" name="form[boot]">
                        <option value="none">{i.t(Key::BootDisk)}</option>
                        <option value="iso">"ISO"</option>
                        <option value="kernel">{i.t(Key::BootKernel)}</option>
                    </select>
                </div>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let options = media.await.unwrap_or_default().into_iter().map(|m| {
                            let label = format!("{} ({})", m.value(), m.hosts.join(", "));
                            view! { <option value=m.value()>{label}</option> }
                        }).collect_view();
                        view! {
                            <div class="field">
                                <label class="field__label" for="create-iso">{i.t(Key::IsoPath)}</label>
                                <select id="create-iso" name="form[iso]">
                                    <option value="">"—"</option>
                                    {options}
                                </select>
                                {select_message("iso")}
                            </div>
                        }
                    })}
                </Transition>
                <FormField name="kernel" label=Key::KernelPath error />
                <FormField name="initrd" label=Key::InitrdPath error />
                <FormField name="cmdline" label=Key::Cmdline placeholder="console=ttyS0" error />
                <FormField name="init" label=Key::InitCommand placeholder="/bin/sh" error />
                <FormField name="args" label=Key::InitArgs error />
            </div>
            <h2>{i.t(Key::Limits)}</h2>
            <div class="form__grid">
                <FormField name="cpu_shares" label=Key::CpuShares error />
                <FormField name="cpu_quota_us" label=Key::CpuQuota error />
                <FormField name="cpu_period_us" label=Key::CpuPeriod error />
                <FormField name="memory_hard_limit_mib" label=Key::MemoryHardLimit error />
                <FormField name="blkio_weight" label=Key::BlkioWeight error />
            </div>
            <input type="hidden" name="form[disk_format]" value="qcow2" />
            <label class="check"><input type="checkbox" name="form[start]" value="on" checked />" " {i.t(Key::StartAfterCreate)}</label>
            <button class="btn btn--primary" type="submit">
                {i.t(Key::Create)}
            </button>
            <span class="muted busy-note" role="status" data-progress="create">{i.t(Key::Creating)}</span>
            {move || note().map(|err| view! { <ErrorNote err /> })}
            {move || create.value().get().and_then(Result::ok).map(|c| view! {
                <p class="note note--ok" role="status" data-created=c.name.clone()>
                    {i.t(Key::CreatedOn)} " " <a href=format!("/domains/{}/{}", c.host_id, c.uuid)>{c.name.clone()}</a>
                    {c.placement.as_ref().map(|r| view! { <br /><span class="small" data-placement>{r.text(i.locale())}</span> })}
                </p>
            })}
        </ActionForm>
    }
}

/// Every workspace, for administrators (who may create in any).
#[component]
fn AllWorkspaces() -> impl IntoView {
    let list = Resource::new(|| (), |_| crate::api::workspaces::list_workspaces());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                list.await.unwrap_or_default().into_iter().map(|w| view! {
                    <option value=w.slug.clone()>{w.name.clone()}</option>
                }).collect_view()
            })}
        </Transition>
    }
}
