//! Virtual networks: list per host, create NAT, isolated or bridged
//! networks, start, stop, delete (administrators), and DHCP leases. Members
//! see the networks their workspaces allow.
// The create form has eight plain fields; the server-function macro expands
// them into functions clippy counts, so the lint is allowed for this file only.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::model::network::{LeaseView, NetworkView};

#[cfg(feature = "ssr")]
fn network_target(host_id: i64, name: &str) -> crate::audit::Target {
    crate::audit::Target::new("network", format!("{host_id}/{name}"), name)
}

/// Networks of every connected host the caller may see.
#[server]
pub async fn list_networks() -> Result<Vec<NetworkView>, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(crate::policy::Action::NetworkList, Subject::list("network")).await?;
    crate::service::networks::list(&op.state, &op.actor).await
}

/// Defines and starts a network (`mode`: nat, isolated or bridge).
#[server]
pub async fn create_network(
    host_id: i64,
    name: String,
    mode: String,
    #[server(default)] cidr: String,
    #[server(default)] dhcp_start: String,
    #[server(default)] dhcp_end: String,
    #[server(default)] bridge: String,
    #[server(default)] vlan: String,
) -> Result<(), AppError> {
    use crate::domxml::network::NetworkForm;
    let params = serde_json::json!({
        "host_id": host_id, "name": name, "mode": mode, "cidr": cidr,
        "dhcp_start": dhcp_start, "dhcp_end": dhcp_end, "bridge": bridge, "vlan": vlan,
    });
    let target = network_target(host_id, name.trim());
    let op = crate::guard::Op::begin(
        crate::policy::Action::NetworkCreate,
        crate::guard::Subject::platform(target, params.clone()),
    )
    .await?;
    let form = NetworkForm {
        name: &name,
        mode: &mode,
        cidr: &cidr,
        dhcp_start: &dhcp_start,
        dhcp_end: &dhcp_end,
        bridge: &bridge,
        vlan: &vlan,
    };
    let result = crate::service::networks::create(&op.state, host_id, form).await;
    op.finish(result, serde_json::Value::Null, params).await
}

/// Starts (`start`) or stops (`stop`) a network.
#[server]
pub async fn network_action(host_id: i64, name: String, action: String) -> Result<(), AppError> {
    use crate::service::storage as ssr;
    let params = serde_json::json!({ "action": action });
    let target = network_target(host_id, &name);
    let op = crate::guard::Op::begin(
        crate::policy::Action::NetworkOperate,
        crate::guard::Subject::platform(target, params.clone()),
    )
    .await;
    let job = ssr::start_or_stop(&action).map(|active| {
        move |gw: crate::gateway::Gateway| async move {
            gw.set_network_active(host_id, &name, active).await
        }
    });
    ssr::host_job(op, params, job).await
}

/// Stops and undefines a network.
#[server]
pub async fn delete_network(host_id: i64, name: String) -> Result<(), AppError> {
    use crate::service::storage as ssr;
    let target = network_target(host_id, &name);
    let op = crate::guard::Op::begin(
        crate::policy::Action::NetworkDelete,
        crate::guard::Subject::platform(target, Default::default()),
    )
    .await;
    let job =
        Ok(|gw: crate::gateway::Gateway| async move { gw.delete_network(host_id, &name).await });
    ssr::host_job(op, Default::default(), job).await
}

/// The DHCP leases of a network the caller may see.
#[server]
pub async fn list_leases(host_id: i64, name: String) -> Result<Vec<LeaseView>, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(crate::policy::Action::NetworkList, Subject::list("lease")).await?;
    crate::service::networks::leases(&op.state, &op.actor, host_id, &name).await
}
