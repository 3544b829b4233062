//! Virtual networks: what a caller sees, creating one from its form, and
//! the DHCP leases a caller may learn.

use crate::domxml::network::NetworkForm;
use crate::error::AppError;
use crate::i18n::Key;
use crate::model::network::{LeaseView, NetworkView};
use crate::policy::Actor;
use crate::service::storage::{known_host, on_field};
use crate::state::AppState;
use crate::visibility::{own_domains_on, scopes, sees_network};

/// Networks of every connected host `actor` may see.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<NetworkView>, AppError> {
    let scopes = scopes(state, actor).await?;
    let nets = state.gateway.all_networks().await;
    Ok(nets
        .into_iter()
        .filter(|n| sees_network(actor, &scopes, n.host_id, &n.name))
        .collect())
}

/// Defines and starts the network the form describes.
pub async fn create(state: &AppState, host_id: i64, form: NetworkForm<'_>) -> Result<(), AppError> {
    known_host(state, host_id)?;
    let spec = form.parse().map_err(AppError::Invalid)?;
    state
        .gateway
        .create_network(host_id, spec)
        .await
        .map_err(|e| on_field(e, &[(Key::ErrNetworkExists, "name")]))
}

/// The DHCP leases of a network `actor` may see: for a member, those of its
/// own domains only (not other teams' addresses and host names on a shared
/// network).
pub async fn leases(
    state: &AppState,
    actor: &Actor,
    host_id: i64,
    name: &str,
) -> Result<Vec<LeaseView>, AppError> {
    if !sees_network(actor, &scopes(state, actor).await?, host_id, name) {
        return Err(AppError::NotFound);
    }
    let only = match actor.is_admin {
        true => None,
        false => {
            let own = own_domains_on(state, actor, host_id);
            Some(own.into_iter().map(|(uuid, _)| uuid).collect())
        }
    };
    state.gateway.leases(host_id, name, only).await
}
