//! VM templates and container root filesystems (administrators define them;
//! every signed-in user may list them to create from).
// A template is one flat form; its server function takes each field.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;

pub use crate::model::template::{RootFsView, TemplateView};

#[server]
pub async fn list_templates() -> Result<(Vec<TemplateView>, Vec<RootFsView>), AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(
        crate::policy::Action::TemplateList,
        Subject::list("template"),
    )
    .await?;
    let templates = crate::store::templates::list(&op.state.pool).await?;
    let rootfs = crate::store::templates::rootfs_list(&op.state.pool).await?;
    Ok((
        templates
            .into_iter()
            .map(|t| TemplateView {
                id: t.id,
                name: t.name,
                description: t.description,
                vcpus: t.vcpus,
                memory_mib: t.memory_mib,
                disk_gib: t.disk_gib,
                network: t.network,
                boot: t.boot,
            })
            .collect(),
        rootfs
            .into_iter()
            .map(|r| RootFsView {
                id: r.id,
                name: r.name,
                path: r.path,
            })
            .collect(),
    ))
}

/// Defines (or redefines, by name) a VM template.
#[server]
pub async fn save_template(
    name: String,
    description: String,
    vcpus: String,
    memory_mib: String,
    disk_gib: String,
    network: String,
    boot: String,
    boot_iso: String,
    kernel: String,
    initrd: String,
    cmdline: String,
) -> Result<i64, AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};
    use crate::i18n::Key;

    let params = serde_json::json!({ "name": name, "vcpus": vcpus, "memory_mib": memory_mib, "disk_gib": disk_gib,
        "network": network, "boot": boot, "boot_iso": boot_iso, "kernel": kernel, "initrd": initrd, "cmdline": cmdline });
    let subject = Subject::platform(Target::new("template", "", name.trim()), params.clone());
    let op = Op::begin(crate::policy::Action::TemplateManage, subject).await?;
    let result = async {
        let mut errors = Vec::new();
        let name = crate::fleet::plan::vm_name(name.trim())
            .map_err(|e| errors.push(e))
            .ok();
        let num = |f: &str, raw: &str, lo: i64, hi: i64, key: Key, errors: &mut Vec<_>| match raw
            .trim()
            .parse::<i64>()
        {
            Ok(v) if (lo..=hi).contains(&v) => Some(v),
            _ => {
                errors.push(crate::error::FieldError::new(f, key));
                None
            }
        };
        let vcpus = num("vcpus", &vcpus, 1, 64, Key::ErrVcpus, &mut errors);
        let memory = num(
            "memory_mib",
            &memory_mib,
            64,
            1_048_576,
            Key::ErrMemory,
            &mut errors,
        );
        let disk = num(
            "disk_gib",
            if disk_gib.trim().is_empty() {
                "0"
            } else {
                &disk_gib
            },
            0,
            4096,
            Key::ErrDiskSize,
            &mut errors,
        );
        let (Some(name), Some(vcpus), Some(memory_mib), Some(disk_gib)) =
            (name, vcpus, memory, disk)
        else {
            return Err(AppError::Invalid(errors));
        };
        let boot = if matches!(boot.as_str(), "iso" | "kernel") {
            boot
        } else {
            "none".into()
        };
        let t = crate::store::templates::Template {
            id: 0,
            name,
            description: description.trim().into(),
            vcpus,
            memory_mib,
            disk_gib,
            network: network.trim().into(),
            boot,
            boot_iso: boot_iso.trim().into(),
            kernel: kernel.trim().into(),
            initrd: initrd.trim().into(),
            cmdline: cmdline.trim().into(),
        };
        Ok(crate::store::templates::upsert(&op.state.pool, &t).await?)
    }
    .await;
    op.finish(result, serde_json::Value::Null, params).await
}

/// Defines a root filesystem (a directory on the hosts) for containers.
#[server]
pub async fn save_rootfs(name: String, path: String) -> Result<i64, AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};
    let params = serde_json::json!({ "name": name, "path": path });
    let op = Op::begin(
        crate::policy::Action::TemplateManage,
        Subject::platform(Target::new("rootfs", "", name.trim()), params.clone()),
    )
    .await?;
    let result = async {
        crate::validate::DisplayName::parse("name", &name)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        if !path.trim().starts_with('/') {
            return Err(AppError::field("path", crate::i18n::Key::ErrRootfs));
        }
        Ok(
            crate::store::templates::rootfs_upsert(&op.state.pool, name.trim(), path.trim())
                .await?,
        )
    }
    .await;
    op.finish(result, serde_json::Value::Null, params).await
}
