//! A container's own root on its host: copied from an administrator's root
//! filesystem into a directory volume `<name>-root` of the chosen pool when
//! the container is created, owned by the container's mapped ids, and
//! removed with it. Both run as short-lived helper containers
//! (`domxml::root_helper`), so only libvirt is needed on the host.

use std::time::{Duration, Instant};

use virt::connect::Connect;
use virt::storage_pool::StoragePool;
use virt::storage_vol::StorageVol;

use crate::domxml::escape;
use crate::domxml::root_helper::{helper_xml, Mount, COPY_SCRIPT, ID_BASE, REMOVE_SCRIPT};
use crate::domxml::storage::parse_pool;
use crate::gateway::translate;
use crate::i18n::Key;

/// How long a helper may run: copying a large root filesystem is slow.
const HELPER_BOUND: Duration = Duration::from_secs(30 * 60);
/// How often a running helper is looked at.
const HELPER_POLL: Duration = Duration::from_millis(100);

/// The root to make for a new container.
#[derive(Clone, Debug)]
pub struct NewRoot {
    /// The pool its directory goes in.
    pub pool: String,
    /// The administrator's root filesystem directory it is copied from.
    pub template: String,
}

/// Makes the container `name`'s root in the pool and returns its path and
/// size in bytes. On failure nothing is left in the pool.
pub(super) fn make(conn: &Connect, name: &str, root: &NewRoot) -> Result<(String, u64), Key> {
    let pool = conn
        .lookup_storage_pool_by_name(&root.pool)
        .map_err(|e| translate("pool lookup", &e))?;
    let dir = pool_dir(&pool)?;
    let vol_name = format!("{name}-root");
    let xml = format!(
        "<volume type='dir'><name>{}</name><capacity>0</capacity><target><format type='dir'/></target></volume>",
        escape(&vol_name)
    );
    let vol = StorageVol::create_xml(&pool, &xml, 0).map_err(|e| translate("volume create", &e))?;
    let path = vol.path().map_err(|e| translate("volume path", &e))?;
    if on_test_driver(conn) {
        // The test driver runs no process: the directory stays empty.
        return Ok((path, 0));
    }
    let (base, token) = (
        ID_BASE.to_string(),
        format!("{:016x}", rand::random::<u64>()),
    );
    let copy = helper_xml(
        &helper_name(),
        COPY_SCRIPT,
        &[&vol_name, &base, &token],
        &[
            Mount {
                source: &dir,
                target: "/tmp",
                readonly: false,
            },
            Mount {
                source: &root.template,
                target: "/var/tmp",
                readonly: true,
            },
        ],
    );
    let ran = run(conn, &copy);
    let _ = pool.refresh(0);
    let prefix = format!("{vol_name}.{token}.");
    let marker = pool
        .list_volumes()
        .unwrap_or_default()
        .into_iter()
        .find_map(|n| {
            let kib = n
                .strip_prefix(&prefix)?
                .strip_suffix(".ok")?
                .parse::<u64>()
                .ok()?;
            Some((n, kib))
        });
    let marked = marker.and_then(|(n, kib)| {
        let gone = pool
            .lookup_storage_vol_by_name(&n)
            .and_then(|m| m.delete(0));
        gone.ok().map(|_| kib * 1024)
    });
    match (ran, marked) {
        (Ok(()), Some(bytes)) => Ok((path, bytes)),
        (other, _) => {
            remove(conn, &path);
            Err(other.err().unwrap_or(Key::ErrContainerRoot))
        }
    }
}

/// Removes a container root at `path` (a `<name>-root` directory volume),
/// with everything in it. Best effort: a failure is logged.
pub(super) fn remove(conn: &Connect, path: &str) {
    let Ok(vol) = conn.lookup_storage_vol_by_path(path) else {
        return;
    };
    let name = vol.name().unwrap_or_default();
    // Only a root this module made: never a path that climbs out.
    if !name.ends_with("-root") || name.starts_with('.') || name.contains('/') {
        tracing::error!(path, "not a container root; left in place");
        return;
    }
    let pool = match vol.lookup_storage_pool() {
        Ok(pool) => pool,
        Err(e) => {
            translate("pool lookup", &e);
            return;
        }
    };
    if !on_test_driver(conn) {
        let Ok(dir) = pool_dir(&pool) else { return };
        let xml = helper_xml(
            &helper_name(),
            REMOVE_SCRIPT,
            &[&name],
            &[Mount {
                source: &dir,
                target: "/tmp",
                readonly: false,
            }],
        );
        if let Err(key) = run(conn, &xml) {
            tracing::error!(path, ?key, "could not empty a container root");
        }
        let _ = pool.refresh(0);
    }
    // Emptied by the helper (and dropped from the pool by the refresh), or
    // an empty directory libvirt removes itself.
    if let Ok(left) = pool.lookup_storage_vol_by_name(&name) {
        if let Err(e) = left.delete(0) {
            tracing::error!(path, error = %e, "could not remove a container root");
        }
    }
}

/// Whether `path` is the root this module made for the container
/// `domain`: a directory volume named `<domain>-root` (never a shared root
/// filesystem an older container points at).
pub(super) fn is_root(conn: &Connect, path: &str, domain: &str) -> bool {
    let Ok(vol) = conn.lookup_storage_vol_by_path(path) else {
        return false;
    };
    let named = vol.name().is_ok_and(|n| n == format!("{domain}-root"));
    let dir = vol
        .info()
        .is_ok_and(|i| i.kind == virt::sys::VIR_STORAGE_VOL_DIR);
    named && dir
}

/// Runs a helper to its end (it is transient: it is gone when its script
/// ends), within [`HELPER_BOUND`].
fn run(conn: &Connect, xml: &str) -> Result<(), Key> {
    let dom = conn
        .create_domain_xml(xml, 0)
        .map_err(|e| translate("root helper", &e))?;
    let started = Instant::now();
    while dom.is_active().unwrap_or(false) {
        if started.elapsed() > HELPER_BOUND {
            let _ = dom.destroy();
            return Err(Key::ErrContainerRoot);
        }
        std::thread::sleep(HELPER_POLL);
    }
    Ok(())
}

fn pool_dir(pool: &StoragePool) -> Result<String, Key> {
    let xml = pool.xml_desc(0).map_err(|e| translate("pool xml", &e))?;
    parse_pool(&xml)
        .map(|p| p.path)
        .filter(|p| p.starts_with('/'))
        .ok_or(Key::HostErrConfig)
}

fn on_test_driver(conn: &Connect) -> bool {
    conn.uri().is_ok_and(|u| u.starts_with("test:"))
}

fn helper_name() -> String {
    format!("mw-helper-{:08x}", rand::random::<u32>())
}
