//! VM templates and container root filesystems: listing them (anyone may
//! create from them) and an administrator's definitions.

use crate::error::{AppError, FieldError};
use crate::i18n::Key;
use crate::model::template::{RootFsView, TemplateView};
use crate::state::AppState;
use crate::store::templates as store;

/// Every template and root filesystem.
pub async fn list(state: &AppState) -> Result<(Vec<TemplateView>, Vec<RootFsView>), AppError> {
    let templates = store::list(&state.pool).await?;
    let rootfs = store::rootfs_list(&state.pool).await?;
    let templates = templates
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
        .collect();
    let rootfs = rootfs
        .into_iter()
        .map(|r| RootFsView {
            id: r.id,
            name: r.name,
            path: r.path,
        })
        .collect();
    Ok((templates, rootfs))
}

/// A template as typed in its form.
pub struct TemplateForm<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub vcpus: &'a str,
    pub memory_mib: &'a str,
    pub disk_gib: &'a str,
    pub network: &'a str,
    pub boot: &'a str,
    pub boot_iso: &'a str,
    pub kernel: &'a str,
    pub initrd: &'a str,
    pub cmdline: &'a str,
}

/// A whole number in `lo..=hi`, else the field's rule.
fn number(field: &str, raw: &str, lo: i64, hi: i64, key: Key) -> Result<i64, FieldError> {
    match raw.trim().parse::<i64>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(FieldError::new(field, key)),
    }
}

/// Defines (or redefines, by name) a VM template; its id.
pub async fn save(state: &AppState, f: TemplateForm<'_>) -> Result<i64, AppError> {
    let disk = match f.disk_gib.trim() {
        "" => "0",
        typed => typed,
    };
    let checked = (
        crate::fleet::plan::vm_name(f.name.trim()),
        number("vcpus", f.vcpus, 1, 64, Key::ErrVcpus),
        number("memory_mib", f.memory_mib, 64, 1_048_576, Key::ErrMemory),
        number("disk_gib", disk, 0, 4096, Key::ErrDiskSize),
    );
    let (Ok(name), Ok(vcpus), Ok(memory_mib), Ok(disk_gib)) = checked else {
        let (a, b, c, d) = checked;
        let errors = [a.err(), b.err(), c.err(), d.err()].into_iter().flatten();
        return Err(AppError::Invalid(errors.collect()));
    };
    let boot = match f.boot {
        "iso" | "kernel" => f.boot,
        _ => "none",
    };
    let t = store::Template {
        id: 0,
        name,
        description: f.description.trim().into(),
        vcpus,
        memory_mib,
        disk_gib,
        network: f.network.trim().into(),
        boot: boot.into(),
        boot_iso: f.boot_iso.trim().into(),
        kernel: f.kernel.trim().into(),
        initrd: f.initrd.trim().into(),
        cmdline: f.cmdline.trim().into(),
    };
    Ok(store::upsert(&state.pool, &t).await?)
}

/// Defines a root filesystem (a directory on the hosts) for containers;
/// its id.
pub async fn save_rootfs(state: &AppState, name: &str, path: &str) -> Result<i64, AppError> {
    crate::validate::DisplayName::parse("name", name).map_err(|e| AppError::Invalid(vec![e]))?;
    if !path.trim().starts_with('/') {
        return Err(AppError::field("path", Key::ErrRootfs));
    }
    Ok(store::rootfs_upsert(&state.pool, name.trim(), path.trim()).await?)
}
