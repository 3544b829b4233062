//! Quotas that hold under concurrency. A create reserves its share in one
//! SQLite transaction before libvirt is called; the reservation lasts until
//! the new domain is in the inventory, or the create failed. One lock makes
//! "check, then reserve" and "publish, then release" atomic with respect to
//! each other, so a domain is always counted exactly once.

use sqlx::SqlitePool;

use crate::error::AppError;
use crate::gateway::Gateway;
use crate::i18n::Key;
use crate::model::{DomainRow, Quotas, Usage};

/// What a create asks of its workspace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ask {
    pub vcpus: i64,
    pub memory_mib: i64,
    pub disk_gib: i64,
}

/// The first quota `ask` would exceed, given current use and reservations.
pub fn exceeded(
    quotas: &Quotas,
    used: &Usage,
    reserved: &Ask,
    reserved_domains: i64,
    ask: &Ask,
) -> Option<(&'static str, Key)> {
    let over = |limit: Option<i64>, now: i64, more: i64| limit.is_some_and(|l| now + more > l);
    if over(quotas.domains, used.domains + reserved_domains, 1) {
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
        reserved.disk_gib + used_disk_gib(used),
        ask.disk_gib,
    ) {
        return Some(("disk_gib", Key::ErrQuotaDisk));
    }
    None
}

/// Disk in use is not tracked by the inventory yet; reservations cover the
/// window of concurrent creates.
fn used_disk_gib(_: &Usage) -> i64 {
    0
}

/// A held reservation; [`Reservation::settle`] or [`Reservation::release`] it.
#[must_use]
pub struct Reservation {
    id: i64,
}

/// Checks the workspace's quotas and reserves `ask`, atomically.
/// The domain a reservation is for.
pub struct ForDomain<'a> {
    pub workspace_id: i64,
    pub slug: &'a str,
    pub host_id: i64,
    pub name: &'a str,
}

pub async fn reserve(
    pool: &SqlitePool,
    lock: &tokio::sync::Mutex<()>,
    gateway: &Gateway,
    target: ForDomain<'_>,
    quotas: &Quotas,
    ask: Ask,
) -> Result<Reservation, AppError> {
    let _held = lock.lock().await;
    let mut tx = pool.begin().await?;
    let held: Vec<(i64, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT vcpus, memory_mib, disk_gib, host_id, name FROM quota_reservations WHERE workspace_id = ?",
    )
    .bind(target.workspace_id)
    .fetch_all(&mut *tx)
    .await?;
    let (used, reserved, domains) = gateway.read(|inv| {
        let mut reserved = Ask::default();
        let mut domains = 0;
        for (vcpus, memory_mib, disk_gib, host_id, name) in &held {
            // Already in the inventory: counted there.
            let listed = inv
                .hosts
                .get(host_id)
                .is_some_and(|h| h.domains.values().any(|d| &d.name == name));
            reserved.disk_gib += disk_gib;
            if !listed {
                reserved.vcpus += vcpus;
                reserved.memory_mib += memory_mib;
                domains += 1;
            }
        }
        (inv.usage(target.slug), reserved, domains)
    });
    if let Some((field, key)) = exceeded(quotas, &used, &reserved, domains, &ask) {
        return Err(AppError::field(field, key));
    }
    let id = sqlx::query_scalar(
        "INSERT INTO quota_reservations (workspace_id, vcpus, memory_mib, disk_gib, domains, host_id, name)
         VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
    )
    .bind(target.workspace_id)
    .bind(ask.vcpus)
    .bind(ask.memory_mib)
    .bind(ask.disk_gib)
    .bind(target.host_id)
    .bind(target.name)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Reservation { id })
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

    async fn delete(self, pool: &SqlitePool) {
        if let Err(e) = sqlx::query("DELETE FROM quota_reservations WHERE id = ?")
            .bind(self.id)
            .execute(pool)
            .await
        {
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
            domains: 1,
        };
        let none = Ask::default();
        let ask = Ask {
            vcpus: 2,
            memory_mib: 1024,
            disk_gib: 40,
        };
        assert_eq!(exceeded(&q, &used, &none, 0, &ask), None);
        assert_eq!(
            exceeded(&q, &used, &none, 2, &ask).unwrap().1,
            Key::ErrQuotaDomains
        );
        assert_eq!(
            exceeded(&q, &used, &Ask { vcpus: 3, ..none }, 0, &ask)
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
                0,
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
                0,
                &ask
            )
            .unwrap()
            .1,
            Key::ErrQuotaDisk
        );
        assert_eq!(
            exceeded(&Quotas::default(), &used, &none, 99, &ask),
            None,
            "no quota, no limit"
        );
    }
}
