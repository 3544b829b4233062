//! The libvirt gateway: the only code that touches `virt` (a test in
//! `server/tests/architecture.rs` fails on a `virt` use anywhere else). A
//! worker thread per host owns its connection; the rest of the app calls
//! typed async methods (`power`, `create_domain`, `stats_round`, …, one
//! `ops/` file per concern), and each method picks the connection itself:
//! the host's worker with the call deadline, a connection of its own for a
//! long job, or a stream connection for an upload. No `Connect` or `Domain`
//! leaves this module; libvirt errors leave it translated.

mod events;
pub mod late;
mod mailbox;
mod ops;
pub mod probe;
mod translate;
mod worker;

pub use ops::container_root::NewRoot;
pub use ops::domain::{NewStorage, NewVolume};
pub use ops::migrate::{DirFacts, MigrateSpec, MoveFacts};
pub use ops::power::Power;
pub use ops::recovery::Stale;
pub use ops::stats::{DomainReading, HostReading};
pub use ops::upload::Upload;
pub use ops::volume_copy::VolumeCopy;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::{broadcast, oneshot};
use translate::translate;
use virt::connect::Connect;

use crate::error::AppError;
use crate::i18n::Key;
use crate::inventory::{HostEntry, Inventory};
use crate::live::{Change, Scope};
use crate::model::host::PlantTags;
use worker::{Msg, Worker};

/// The inventory plus the changes pushed to open pages.
pub struct Shared {
    inventory: RwLock<Inventory>,
    version: AtomicU64,
    changes: broadcast::Sender<Change>,
}

impl Shared {
    /// Changes host `host_id` (added, removed, connected, lost) and tells
    /// every subscriber that any of its domains may have changed.
    pub fn update_host(&self, host_id: i64, f: impl FnOnce(&mut Inventory)) {
        self.update_host_if(host_id, |inv| {
            f(inv);
            true
        });
    }

    /// [`Shared::update_host`], telling subscribers only when `f` says it
    /// changed something.
    pub fn update_host_if(&self, host_id: i64, f: impl FnOnce(&mut Inventory) -> bool) {
        let mut changed = false;
        self.update_quiet(|inv| changed = f(inv));
        if changed {
            self.push(Scope::Host { host_id }, Vec::new());
        }
    }

    /// Changes one domain of a host and names it in the push, with the
    /// workspaces that owned it before and after (so that `/events` names it
    /// only to those who may see it).
    pub fn update_domain(&self, host_id: i64, uuid: &str, f: impl FnOnce(&mut Inventory)) {
        let owner = |inv: &Inventory| inv.domain(host_id, uuid).map(|d| d.workspace.clone());
        let mut inv = self.inventory.write().unwrap_or_else(|p| p.into_inner());
        let mut owners: Vec<Option<String>> = owner(&inv).into_iter().collect();
        f(&mut inv);
        owners.extend(owner(&inv));
        drop(inv);
        let uuid = uuid.to_string();
        self.push(Scope::Domain { host_id, uuid }, owners);
    }

    fn push(&self, scope: Scope, owners: Vec<Option<String>>) {
        let version = self.version.fetch_add(1, Ordering::SeqCst) + 1;
        // No subscriber is fine.
        let _ = self.changes.send(Change {
            version,
            scope,
            owners,
        });
    }

    /// Changes the inventory without a push (periodic facts such as free memory).
    pub fn update_quiet(&self, f: impl FnOnce(&mut Inventory)) {
        let mut inv = self.inventory.write().unwrap_or_else(|p| p.into_inner());
        f(&mut inv);
    }

    pub fn read<R>(&self, f: impl FnOnce(&Inventory) -> R) -> R {
        let inv = self.inventory.read().unwrap_or_else(|p| p.into_inner());
        f(&inv)
    }
}

/// A registered host as the gateway needs it.
#[derive(Clone, Debug)]
pub struct HostSpec {
    pub id: i64,
    pub name: String,
    pub uri: String,
    pub tags: PlantTags,
    pub demo: bool,
}

/// Handle to the gateway; cheap to clone.
#[derive(Clone)]
pub struct Gateway {
    shared: Arc<Shared>,
    workers: Arc<Mutex<HashMap<i64, mpsc::Sender<Msg>>>>,
    deadline: Duration,
    long_deadline: Duration,
}

/// The default bound of [`Gateway::call_long`]: two hours.
pub const LONG_DEADLINE: Duration = Duration::from_secs(7200);

impl Gateway {
    /// Starts libvirt's event loop (once per process) and an empty gateway.
    /// `deadline` bounds every call made through [`Gateway::call`].
    pub fn new(deadline: Duration) -> Self {
        events::start_event_loop();
        // Roomy enough that a burst of lifecycle events does not make an
        // open page's stream lag (a lagged stream refetches everything).
        let (changes, _) = broadcast::channel(1024);
        Self {
            shared: Arc::new(Shared {
                inventory: RwLock::new(Inventory::default()),
                version: AtomicU64::new(0),
                changes,
            }),
            workers: Arc::default(),
            deadline,
            long_deadline: LONG_DEADLINE,
        }
    }

    /// Bounds every job run through [`Gateway::call_long`].
    pub fn with_long_deadline(mut self, long_deadline: Duration) -> Self {
        self.long_deadline = long_deadline;
        self
    }

    /// Adds a host and starts its worker, which connects in the background.
    pub fn add_host(&self, spec: HostSpec) {
        let HostSpec {
            id,
            name,
            uri,
            tags,
            demo,
        } = spec;
        self.shared.update_host(id, |inv| {
            inv.hosts
                .insert(id, HostEntry::new(id, name, uri.clone(), tags, demo));
        });
        let (tx, rx) = mpsc::channel();
        let worker = Worker {
            host_id: id,
            uri,
            shared: self.shared.clone(),
            rx,
            tx: tx.clone(),
        };
        let spawned = std::thread::Builder::new()
            .name(format!("host-{id}"))
            .spawn(move || worker.run());
        match spawned {
            Ok(_) => {
                if let Some(old) = self.lock_workers().insert(id, tx) {
                    let _ = old.send(Msg::Stop);
                }
            }
            Err(err) => {
                tracing::error!(error = %err, host = id, "host worker could not start");
                self.shared.update_host(id, |inv| {
                    if let Some(h) = inv.hosts.get_mut(&id) {
                        h.state = crate::model::host::HostState::Unreachable;
                        h.last_error = Some(Key::ErrInternal);
                    }
                });
            }
        }
    }

    /// Stops a host's worker and forgets its domains.
    pub fn remove_host(&self, id: i64) {
        if let Some(tx) = self.lock_workers().remove(&id) {
            let _ = tx.send(Msg::Stop);
        }
        self.shared.update_host(id, |inv| {
            inv.hosts.remove(&id);
        });
    }

    /// Stops every worker (server shutdown).
    pub fn shutdown(&self) {
        for (_, tx) in self.lock_workers().drain() {
            let _ = tx.send(Msg::Stop);
        }
    }

    /// Runs `f` on the host's connection, waiting at most the deadline.
    async fn call<T, F>(&self, host_id: i64, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Connect) -> Result<T, Key> + Send + 'static,
    {
        let tx = self
            .lock_workers()
            .get(&host_id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        let (reply_tx, reply_rx) = oneshot::channel();
        let job: worker::Job = Box::new(move |conn| {
            let _ = reply_tx.send(f(conn));
        });
        if tx.send(Msg::Job(job)).is_err() {
            return Err(self.unreachable(host_id));
        }
        let mut reply_rx = reply_rx;
        match tokio::time::timeout(self.deadline, &mut reply_rx).await {
            Ok(Ok(result)) => result.map_err(AppError::Host),
            // The worker dropped the job: the host is not connected.
            Ok(Err(_)) => Err(self.unreachable(host_id)),
            Err(_) => {
                // Still queued or running on the worker: its result is late.
                late::defer(async move {
                    match reply_rx.await {
                        Ok(result) => result.map(|_| ()),
                        Err(_) => Err(Key::HostErrUnreachable),
                    }
                });
                Err(AppError::Host(Key::HostErrDeadline))
            }
        }
    }

    /// Runs a long job — define and start, a volume copy, a snapshot with
    /// memory — on a connection of its own: it neither waits behind nor
    /// holds up the host's other calls, and the short call deadline does
    /// not cut it off half done. A dead peer still fails it (keepalive);
    /// the long deadline bounds a host that hangs with the connection up.
    /// The test driver keeps a separate plant per connection, so its hosts
    /// run the job on their worker.
    async fn call_long<T, F>(&self, host_id: i64, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Connect) -> Result<T, Key> + Send + 'static,
    {
        let (uri, state) = self
            .read(|inv| inv.hosts.get(&host_id).map(|h| (h.uri.clone(), h.state)))
            .ok_or(AppError::NotFound)?;
        if state != crate::model::host::HostState::Connected {
            return Err(self.unreachable(host_id));
        }
        if uri.starts_with("test:") {
            return self.call(host_id, f).await;
        }
        // Dropping the connection closes it.
        let mut job = tokio::task::spawn_blocking(move || f(&worker::open(&uri)?));
        match tokio::time::timeout(self.long_deadline, &mut job).await {
            Ok(Ok(result)) => result.map_err(AppError::Host),
            Ok(Err(_)) => Err(AppError::Internal),
            Err(_) => {
                // The thread goes on: its result is late.
                late::defer(async move {
                    match job.await {
                        Ok(result) => result.map(|_| ()),
                        Err(_) => Err(Key::HostErrUnreachable),
                    }
                });
                Err(AppError::Host(Key::HostErrDeadline))
            }
        }
    }

    /// Puts a domain row into the inventory now (a create publishes its new
    /// domain before releasing its quota reservation).
    pub fn publish_domain(&self, row: crate::model::domain::DomainRow) {
        let (host_id, uuid) = (row.host_id, row.uuid.clone());
        self.shared.update_domain(host_id, &uuid, |inv| {
            if let Some(h) = inv.hosts.get_mut(&host_id) {
                h.domains.insert(row.uuid.clone(), row);
            }
        });
    }

    /// Sets a host's maintenance mode in the inventory (placement reads it).
    pub fn set_maintenance(&self, host_id: i64, mode: crate::model::host::Maintenance) {
        self.shared.update_host(host_id, |inv| {
            if let Some(h) = inv.hosts.get_mut(&host_id) {
                h.maintenance = mode;
            }
        });
    }

    /// Tells open pages that a job on a domain of `workspace` changed.
    pub fn push_job(&self, scope: Scope, workspace: Option<String>) {
        self.shared.push(scope, vec![workspace]);
    }

    /// Asks the host's worker to re-read one domain (after a change that
    /// raises no lifecycle event, such as metadata).
    pub fn refresh_domain(&self, host_id: i64, uuid: &str) {
        if let Some(tx) = self.lock_workers().get(&host_id) {
            let _ = tx.send(Msg::DomainChanged {
                uuid: uuid.to_string(),
            });
        }
    }

    /// Runs `job` on every connected host at once; a host that fails is
    /// left out (its reason is in the server log).
    async fn on_every_host<T, F>(&self, job: F) -> Vec<T>
    where
        T: Send + 'static,
        F: Fn(&Connect, i64, &str) -> Result<Vec<T>, Key> + Clone + Send + 'static,
    {
        let hosts: Vec<(i64, String)> = self.read(|inv| {
            inv.hosts
                .values()
                .filter(|h| h.state == crate::model::host::HostState::Connected)
                .map(|h| (h.id, h.name.clone()))
                .collect()
        });
        let calls = hosts.into_iter().map(|(id, name)| {
            let job = job.clone();
            self.call(id, move |conn| job(conn, id, &name))
        });
        futures::future::join_all(calls)
            .await
            .into_iter()
            .filter_map(Result::ok)
            .flatten()
            .collect()
    }

    /// The host's name as the inventory knows it, or `NotFound`.
    fn host_name(&self, host_id: i64) -> Result<String, AppError> {
        self.read(|inv| inv.hosts.get(&host_id).map(|h| h.name.clone()))
            .ok_or(AppError::NotFound)
    }

    /// The host's URI, for a connection of a job's own.
    fn host_uri(&self, host_id: i64) -> Result<String, AppError> {
        self.read(|inv| inv.hosts.get(&host_id).map(|h| h.uri.clone()))
            .ok_or(AppError::NotFound)
    }

    fn unreachable(&self, host_id: i64) -> AppError {
        let reason = self.read(|inv| inv.hosts.get(&host_id).and_then(|h| h.last_error));
        AppError::Host(reason.unwrap_or(Key::HostErrUnreachable))
    }

    pub fn read<R>(&self, f: impl FnOnce(&Inventory) -> R) -> R {
        self.shared.read(f)
    }

    /// Inventory change notifications: what changed, after each change.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.shared.changes.subscribe()
    }

    pub fn version(&self) -> u64 {
        self.shared.version.load(Ordering::SeqCst)
    }

    /// Waits until the inventory satisfies `done`, woken by its change
    /// notifications; false when `timeout` passes first.
    pub async fn wait_until(&self, timeout: Duration, done: impl Fn(&Inventory) -> bool) -> bool {
        let mut changes = self.subscribe();
        let check = async {
            loop {
                if self.read(&done) {
                    return;
                }
                if let Err(broadcast::error::RecvError::Closed) = changes.recv().await {
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::time::timeout(timeout, check).await.is_ok()
    }

    fn lock_workers(&self) -> std::sync::MutexGuard<'_, HashMap<i64, mpsc::Sender<Msg>>> {
        self.workers.lock().unwrap_or_else(|p| p.into_inner())
    }
}
