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
    crate::service::templates::list(&op.state).await
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

    let params = serde_json::json!({ "name": name, "vcpus": vcpus, "memory_mib": memory_mib, "disk_gib": disk_gib,
        "network": network, "boot": boot, "boot_iso": boot_iso, "kernel": kernel, "initrd": initrd, "cmdline": cmdline });
    let subject = Subject::platform(Target::new("template", "", name.trim()), params.clone());
    let op = Op::begin(crate::policy::Action::TemplateManage, subject).await?;
    let form = crate::service::templates::TemplateForm {
        name: &name,
        description: &description,
        vcpus: &vcpus,
        memory_mib: &memory_mib,
        disk_gib: &disk_gib,
        network: &network,
        boot: &boot,
        boot_iso: &boot_iso,
        kernel: &kernel,
        initrd: &initrd,
        cmdline: &cmdline,
    };
    let result = crate::service::templates::save(&op.state, form).await;
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
    let result = crate::service::templates::save_rootfs(&op.state, &name, &path).await;
    op.finish(result, serde_json::Value::Null, params).await
}
