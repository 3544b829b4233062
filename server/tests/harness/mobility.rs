//! The mobility lab tests' part of the harness: pools on both lab hosts
//! (one shared directory, one private to each host), the tiny guest's
//! serial log on each host, moves and their jobs through the dashboard.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use app::model::job::{JobState, JobView};

use super::fleet::Lab;
use super::{env, virsh, ServerFn};

pub fn h1_uri() -> String {
    env("MILLWRIGHT_LAB_H1_URI")
}

pub fn h2_uri() -> String {
    env("MILLWRIGHT_LAB_H2_URI")
}

/// A pool of one name on both hosts over one shared directory, and one of
/// another name on both at `/var/lib/libvirt/images/…`, which each host's
/// private mount namespace keeps apart (storage that is not shared).
pub struct MovePools {
    pub shared: String,
    pub local: String,
    shared_dir: PathBuf,
    tag: String,
}

impl MovePools {
    pub fn new(tag: &str) -> MovePools {
        let pid = std::process::id();
        let shared_dir = PathBuf::from(env("MILLWRIGHT_LAB_IMAGES")).join(format!("{tag}-{pid}"));
        std::fs::create_dir_all(&shared_dir).unwrap();
        let pools = MovePools {
            shared: format!("mw{tag}sh{pid}"),
            local: format!("mw{tag}lo{pid}"),
            shared_dir,
            tag: format!("{tag}-{pid}"),
        };
        let local_dir = format!("/var/lib/libvirt/images/{}", pools.tag);
        for uri in [h1_uri(), h2_uri()] {
            let shared = pools.shared_dir.to_str().unwrap();
            for (name, dir) in [(&pools.shared, shared), (&pools.local, &local_dir)] {
                let (ok, out) = virsh(
                    &uri,
                    &["pool-create-as", name, "dir", "--target", dir, "--build"],
                );
                assert!(ok, "pool-create-as {name} on {uri}: {out}");
            }
        }
        pools
    }

    /// The pools [`MovePools::new`] made for `tag` in this process, to
    /// remove when dropped (after a server that made them stopped).
    pub fn adopt(tag: &str) -> MovePools {
        let pid = std::process::id();
        MovePools {
            shared: format!("mw{tag}sh{pid}"),
            local: format!("mw{tag}lo{pid}"),
            shared_dir: PathBuf::from(env("MILLWRIGHT_LAB_IMAGES")).join(format!("{tag}-{pid}")),
            tag: format!("{tag}-{pid}"),
        }
    }

    /// The files in host `h`'s private copy of the local pool.
    pub fn local_files(&self, h: &str) -> Vec<String> {
        let dir = PathBuf::from(env("MILLWRIGHT_LAB_DIR"))
            .join(format!("hosts/{h}/lib/images/{}", self.tag));
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for MovePools {
    fn drop(&mut self) {
        for uri in [h1_uri(), h2_uri()] {
            for pool in [&self.shared, &self.local] {
                for vol in virsh(&uri, &["vol-list", pool, "--name"]).1.lines() {
                    if !vol.trim().is_empty() {
                        virsh(&uri, &["vol-delete", vol.trim(), "--pool", pool]);
                    }
                }
                virsh(&uri, &["pool-destroy", pool]);
            }
        }
        let _ = std::fs::remove_dir_all(&self.shared_dir);
    }
}

/// The tiny guest's serial log on lab host `h` (`h1`, `h2`).
pub fn serial_log(h: &str, name: &str) -> String {
    let path = PathBuf::from(env("MILLWRIGHT_LAB_DIR"))
        .join(format!("hosts/{h}/log/qemu/{name}-serial.log"));
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The heartbeat counts (`MILLWRIGHT-TICK n`) in a serial log, in order.
pub fn ticks(log: &str) -> Vec<u64> {
    log.lines()
        .filter_map(|l| l.trim().strip_prefix("MILLWRIGHT-TICK "))
        .filter_map(|n| n.trim().parse().ok())
        .collect()
}

/// Waits until host `h`'s serial log of `name` shows a tick above `above`;
/// the ticks seen.
pub async fn wait_ticks(h: &str, name: &str, above: u64) -> Vec<u64> {
    let start = Instant::now();
    loop {
        let t = ticks(&serial_log(h, name));
        if t.last().is_some_and(|n| *n > above) {
            return t;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no heartbeat above {above} from {name} on {h}: {t:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await; // polling a file the guest writes
    }
}

impl Lab {
    /// Asks the dashboard to move `uuid` on `host` to `target` ("auto" or
    /// an id) with the limits as typed: the reply's status and body.
    pub async fn move_domain(
        &self,
        host: i64,
        uuid: &str,
        target: &str,
        bandwidth: &str,
    ) -> super::Reply {
        let body = format!(
            "host_id={host}&uuid={uuid}&form%5Btarget%5D={target}&form%5Bbandwidth_mib%5D={bandwidth}&form%5Bmax_downtime_ms%5D="
        );
        self.app
            .post_form(app::api::mobility::MigrateDomain::PATH, &self.cookie, &body)
            .await
    }

    /// Starts a move that must be accepted: the job's id.
    pub async fn start_move(&self, host: i64, uuid: &str, target: &str, bandwidth: &str) -> i64 {
        let reply = self.move_domain(host, uuid, target, bandwidth).await;
        assert!(reply.status.is_success(), "move refused: {}", reply.body);
        reply.body.trim().parse().expect("the job's id")
    }

    pub async fn job(&self, id: i64) -> JobView {
        app::store::jobs::get(&self.state.pool, id)
            .await
            .unwrap()
            .expect("the job is recorded")
    }

    /// Waits until job `id` satisfies `done`, woken by the pushes of its
    /// changes; fails naming `what` after `limit`.
    pub async fn wait_job(
        &self,
        id: i64,
        what: &str,
        limit: Duration,
        done: impl Fn(&JobView) -> bool,
    ) -> JobView {
        let start = Instant::now();
        let mut changes = self.state.gateway.subscribe();
        loop {
            let job = self.job(id).await;
            if done(&job) {
                return job;
            }
            let left = limit
                .checked_sub(start.elapsed())
                .unwrap_or_else(|| panic!("timed out waiting for job {id}: {what}; it is {job:?}"));
            let _ =
                tokio::time::timeout(left.min(Duration::from_millis(500)), changes.recv()).await;
        }
    }

    /// Waits until job `id` ended; it.
    pub async fn job_end(&self, id: i64, limit: Duration) -> JobView {
        self.wait_job(id, "its end", limit, |j| !j.state.is_open())
            .await
    }
}

/// Where `name` is defined: (on h1, on h2), asked of libvirt itself.
pub fn defined_on(name: &str) -> (bool, bool) {
    (
        virsh(&h1_uri(), &["dominfo", name]).0,
        virsh(&h2_uri(), &["dominfo", name]).0,
    )
}

pub fn assert_succeeded(job: &JobView) {
    assert_eq!(job.state, JobState::Succeeded, "{job:?}");
}
