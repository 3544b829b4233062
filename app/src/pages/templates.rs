//! Administrators define VM templates and container root filesystems.

use leptos::prelude::*;

use crate::api::templates::{list_templates, SaveRootfs, SaveTemplate};
use crate::components::field::Field;
use crate::components::notes::ErrorNote;
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let i = use_i18n();
    let save = crate::flash::action::<SaveTemplate>();
    let rootfs = crate::flash::action::<SaveRootfs>();
    let list = Resource::new(|| (), |_| list_templates());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let rootfs_error = Signal::derive(move || rootfs.value().get().and_then(Result::err));
    let other = |e: Signal<Option<AppError>>| {
        move || {
            e.get()
                .filter(|e| !matches!(e, AppError::Invalid(_)))
                .map(|err| view! { <ErrorNote err /> })
        }
    };
    view! {
        <h1>{i.t(Key::TemplatesTitle)}</h1>
        <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok((templates, roots)) => view! {
                        <ul class="plain card" data-list="templates">
                            {templates.into_iter().map(|t| view! {
                                <li data-template=t.name.clone()>
                                    <strong>{t.name.clone()}</strong>
                                    {format!(" — {} vCPU, {} MiB, {} GiB, {} {}, boot {}", t.vcpus, t.memory_mib, t.disk_gib, i.t(Key::Network), t.network, t.boot)}
                                    <div class="muted">{t.description.clone()}</div>
                                </li>
                            }).collect_view()}
                        </ul>
                        <ul class="plain card" data-list="rootfs">
                            {roots.into_iter().map(|r| view! { <li data-rootfs=r.name.clone()><strong>{r.name.clone()}</strong> " " <span class="mono">{r.path.clone()}</span></li> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(err) => view! { <ErrorNote err /> }.into_any(),
                }
            })}
        </Transition>
        <section class="card">
            <h2>{i.t(Key::SaveTemplate)}</h2>
            <ActionForm action=save attr:class="form" attr:data-form="template">
                <div class="form__grid">
                    <Field name="name" label=Key::ColName required=true error />
                    <Field name="description" label=Key::FieldDescription error />
                    <Field name="vcpus" label=Key::ColVcpus required=true error />
                    <Field name="memory_mib" label=Key::FieldQuotaMemory required=true error />
                    <Field name="disk_gib" label=Key::FieldQuotaDisk error />
                    <Field name="network" label=Key::Network error />
                    <div class="field">
                        <label class="field__label" for="template-boot">{i.t(Key::BootFrom)}</label>
                        <select id="template-boot" name="boot">
                            <option value="none">{i.t(Key::BootDisk)}</option>
                            <option value="iso">"ISO"</option>
                            <option value="kernel">{i.t(Key::BootKernel)}</option>
                        </select>
                    </div>
                    <Field name="boot_iso" label=Key::IsoPath error />
                    <Field name="kernel" label=Key::KernelPath error />
                    <Field name="initrd" label=Key::InitrdPath error />
                    <Field name="cmdline" label=Key::Cmdline error />
                </div>
                <button class="btn btn--primary" type="submit">{i.t(Key::SaveTemplate)}</button>
                {other(error)}
            </ActionForm>
        </section>
        <section class="card">
            <h2>{i.t(Key::SaveRootFs)}</h2>
            <ActionForm action=rootfs attr:class="form" attr:data-form="rootfs">
                <div class="form__grid">
                    <Field name="name" label=Key::ColName required=true error=rootfs_error />
                    <Field name="path" label=Key::FieldPath required=true error=rootfs_error />
                </div>
                <button class="btn btn--primary" type="submit">{i.t(Key::SaveRootFs)}</button>
                {other(rootfs_error)}
            </ActionForm>
        </section>
    }
}
