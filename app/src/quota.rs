//! Quotas that hold under concurrency. A create reserves its share in one
//! SQLite transaction before libvirt is called; the reservation lasts until
//! the new domain is in the inventory, or the create failed. One lock makes
//! "check, then reserve" and "publish, then release" atomic with respect to
//! each other, so a domain is always counted exactly once.

use sqlx::SqlitePool;

use crate::error::AppError;
use crate::gateway::Gateway;
use crate::i18n::Key;
use crate::model::domain::DomainRow;
use crate::model::workspace::{Quotas, Usage};
use crate::state::AppState;
use crate::store::quota as store;

/// What a create (or a resize) asks of its workspace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ask {
    pub vcpus: i64,
    pub memory_mib: i64,
    pub disk_gib: i64,
    /// 1 for a new domain, 0 for a change to an existing one.
    pub domains: i64,
    /// Whether the new domain is started (and so takes room on its host).
    pub starts: bool,
}

impl Ask {
    /// A new domain's share.
    pub fn domain(vcpus: i64, memory_mib: i64, disk_gib: i64) -> Self {
        Ask {
            vcpus,
            memory_mib,
            disk_gib,
            domains: 1,
            starts: false,
        }
    }
}

/// The first quota `ask` would exceed, given current use and reservations.
pub fn exceeded(
    quotas: &Quotas,
    used: &Usage,
    reserved: &Ask,
    ask: &Ask,
) -> Option<(&'static str, Key)> {
    let over = |limit: Option<i64>, now: i64, more: i64| limit.is_some_and(|l| now + more > l);
    if over(quotas.domains, used.domains + reserved.domains, ask.domains) {
        return Some(("workspace", Key::ErrQuotaDomains));
    }
    if over(quotas.vcpus, used.vcpus + reserved.vcpus, ask.vcpus) {
        return Some(("vcpus", Key::ErrQuotaVcpus));
    }
    if over(
        quotas.memory_mib,
        used.memory_mib + reserved.memory_mib,
        ask.memory_mib,
    ) {
        return Some(("memory_mib", Key::ErrQuotaMemory));
    }
    if over(
        quotas.disk_gib,
        used.disk_gib + reserved.disk_gib,
        ask.disk_gib,
    ) {
        return Some(("disk_gib", Key::ErrQuotaDisk));
    }
    None
}

/// A held reservation; [`Reservation::settle`] or [`Reservation::release`] it.
#[must_use]
pub struct Reservation {
    id: i64,
}

/// The domain a reservation is for.
pub struct ForDomain<'a> {
    pub workspace_id: i64,
    pub slug: &'a str,
    pub name: &'a str,
}

/// vCPUs and memory (MiB) reserved on each host by creates in flight, whose
/// domains are not in the inventory yet: placement counts them as used.
pub type InFlight = std::collections::HashMap<i64, (i64, i64)>;

/// Picks the host under the quota lock, then checks the workspace's quotas
/// and reserves `ask` on that host, atomically: concurrent creates neither
/// overrun a quota nor all land on the same "emptiest" host.
pub async fn reserve<P, R>(
    state: &AppState,
    target: ForDomain<'_>,
    quotas: &Quotas,
    ask: Ask,
    place: P,
) -> Result<(Reservation, i64, R), AppError>
where
    P: FnOnce(&InFlight) -> Result<(i64, R), AppError>,
{
    let (pool, gateway) = (&state.pool, &state.gateway);
    let _held = state.quota_lock.lock().await;
    // IMMEDIATE: the write lock up front, so a commit elsewhere (an audit
    // record) between our read and our insert cannot void the snapshot.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let (used, reserved, in_flight) =
        standing(&mut tx, gateway, target.workspace_id, target.slug).await?;
    if let Some((field, key)) = exceeded(quotas, &used, &reserved, &ask) {
        return Err(AppError::field(field, key));
    }
    let (host_id, reason) = place(&in_flight)?;
    let new = store::NewReservation {
        workspace_id: target.workspace_id,
        vcpus: ask.vcpus,
        memory_mib: ask.memory_mib,
        disk_gib: ask.disk_gib,
        domains: ask.domains,
        host_id,
        name: target.name,
        starts: ask.starts,
    };
    let id = store::insert(&mut tx, &new).await?;
    tx.commit().await?;
    Ok((Reservation { id }, host_id, reason))
}

/// The workspace's use, its reservations and every host's creates in flight.
async fn standing(
    conn: &mut sqlx::SqliteConnection,
    gateway: &Gateway,
    workspace_id: i64,
    slug: &str,
) -> Result<(Usage, Ask, InFlight), AppError> {
    let held = store::held(conn).await?;
    let volumes = crate::store::volumes::owned_gib(conn, workspace_id).await?;
    let (mut used, reserved, in_flight) = gateway.read(|inv| {
        let mut reserved = Ask::default();
        let mut in_flight = InFlight::new();
        for (ws, vcpus, memory_mib, disk_gib, host_id, name, starts) in &held {
            // Already in the inventory: counted there — against the quota
            // once defined, against the host's room once running (a create
            // that is defined but still starting counts as in flight).
            let row = inv
                .hosts
                .get(host_id)
                .and_then(|h| h.domains.values().find(|d| &d.name == name));
            if *starts && !row.is_some_and(|d| d.state.is_active()) {
                let host = in_flight.entry(*host_id).or_default();
                host.0 += vcpus;
                host.1 += memory_mib;
            }
            if *ws == workspace_id && row.is_none() {
                reserved.disk_gib += disk_gib;
                reserved.vcpus += vcpus;
                reserved.memory_mib += memory_mib;
                reserved.domains += 1;
            }
        }
        (inv.usage(slug), reserved, in_flight)
    });
    // Volumes of its own beside its domains' disks.
    used.disk_gib += volumes;
    Ok((used, reserved, in_flight))
}

/// Checks `gib` more against the workspace's disk quota and records the
/// volume `key` as its own with that share, in one transaction under the
/// quota lock: concurrent volume creates and uploads cannot overrun it.
pub async fn claim_volume(
    state: &AppState,
    workspace: (i64, &str),
    quotas: &Quotas,
    key: crate::store::volumes::VolumeKey<'_>,
    gib: i64,
) -> Result<(), AppError> {
    let _held = state.quota_lock.lock().await;
    let mut tx = state.pool.begin_with("BEGIN IMMEDIATE").await?;
    let (used, reserved, _) = standing(&mut tx, &state.gateway, workspace.0, workspace.1).await?;
    let ask = Ask {
        disk_gib: gib,
        ..Ask::default()
    };
    if let Some((field, key)) = exceeded(quotas, &used, &reserved, &ask) {
        return Err(AppError::field(field, key));
    }
    // A name another volume already has (or another claim holds) is not
    // taken over: the host would refuse it anyway.
    if !crate::store::volumes::claim(&mut tx, key, workspace.0, gib).await? {
        return Err(AppError::field("name", Key::ErrVolumeExists));
    }
    tx.commit().await?;
    Ok(())
}

/// Checks that growing an existing domain by `ask` stays within the
/// workspace's quotas. The returned guard holds the quota lock: make the
/// change and refresh the domain in the inventory before dropping it.
pub async fn check_change<'s>(
    state: &'s AppState,
    workspace: (i64, &str),
    quotas: &Quotas,
    ask: Ask,
) -> Result<tokio::sync::MutexGuard<'s, ()>, AppError> {
    let held = state.quota_lock.lock().await;
    let mut conn = state.pool.acquire().await?;
    let (used, reserved, _) = standing(&mut conn, &state.gateway, workspace.0, workspace.1).await?;
    match exceeded(quotas, &used, &reserved, &ask) {
        Some((field, key)) => Err(AppError::field(field, key)),
        None => Ok(held),
    }
}

impl Reservation {
    /// The domain exists: put it in the inventory, then drop the reservation.
    pub async fn settle(
        self,
        pool: &SqlitePool,
        lock: &tokio::sync::Mutex<()>,
        gateway: &Gateway,
        row: DomainRow,
    ) {
        let _held = lock.lock().await;
        gateway.publish_domain(row);
        self.delete(pool).await;
    }

    /// The create failed: give the share back.
    pub async fn release(self, pool: &SqlitePool) {
        self.delete(pool).await;
    }

    /// The create passed its deadline and may still finish: the share is
    /// held until the domain is in the inventory (then it counts there), or
    /// given back after `limit` (and at the next start in any case).
    pub fn release_when_listed(
        self,
        pool: SqlitePool,
        gateway: Gateway,
        (host_id, name): (i64, String),
        limit: std::time::Duration,
    ) {
        tokio::spawn(async move {
            let listed =
                |inv: &crate::inventory::Inventory| inv.domains_on(host_id).any(|d| d.name == name);
            gateway.wait_until(limit, listed).await;
            self.delete(&pool).await;
        });
    }

    async fn delete(self, pool: &SqlitePool) {
        if let Err(e) = store::delete(pool, self.id).await {
            tracing::error!(error = %e, reservation = self.id, "quota reservation not released");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_quota_is_checked_with_reservations() {
        let q = Quotas {
            vcpus: Some(8),
            memory_mib: Some(4096),
            disk_gib: Some(100),
            domains: Some(3),
        };
        let used = Usage {
            vcpus: 4,
            memory_mib: 2048,
            disk_gib: 0,
            domains: 1,
        };
        let none = Ask::default();
        let ask = Ask::domain(2, 1024, 40);
        assert_eq!(exceeded(&q, &used, &none, &ask), None);
        assert_eq!(
            exceeded(&q, &used, &Ask { domains: 2, ..none }, &ask)
                .unwrap()
                .1,
            Key::ErrQuotaDomains
        );
        assert_eq!(
            exceeded(&q, &used, &Ask { vcpus: 3, ..none }, &ask)
                .unwrap()
                .1,
            Key::ErrQuotaVcpus
        );
        assert_eq!(
            exceeded(
                &q,
                &used,
                &Ask {
                    memory_mib: 1025,
                    ..none
                },
                &ask
            )
            .unwrap()
            .1,
            Key::ErrQuotaMemory
        );
        assert_eq!(
            exceeded(
                &q,
                &used,
                &Ask {
                    disk_gib: 61,
                    ..none
                },
                &ask
            )
            .unwrap()
            .1,
            Key::ErrQuotaDisk
        );
        assert_eq!(
            exceeded(
                &Quotas::default(),
                &used,
                &Ask {
                    domains: 99,
                    ..none
                },
                &ask
            ),
            None,
            "no quota, no limit"
        );
    }
}
