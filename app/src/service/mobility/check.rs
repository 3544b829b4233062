//! The pre-checks of a move: everything is known good before anything
//! moves — the target is allowed, connected, not in maintenance and has
//! room (counting moves planned with it), no must-affinity rule is broken,
//! the networks and pools the domain needs exist there, shared storage is
//! probed through libvirt, and libvirt's CPU comparison agrees.

use std::collections::{BTreeSet, HashMap};

use super::{blocked, targets, MAX_BANDWIDTH_MIB, MAX_DOWNTIME_MS};
use crate::error::AppError;
use crate::gateway::{MigrateSpec, MoveFacts, VolumeCopy};
use crate::i18n::Key;
use crate::model::domain::{DomainKind, DomainRow};
use crate::model::job::{DiskMode, MoveForm};
use crate::placement::Candidate;
use crate::state::AppState;

/// Moves planned together (a drain): the room they take on their targets
/// and where their domains will be, for placement and affinity.
#[derive(Default)]
pub struct Planned {
    /// UUID → (target, vCPUs, MiB) of each planned move.
    moves: HashMap<String, (i64, i64, i64)>,
}

impl Planned {
    /// Counts `row` as going to `target`.
    pub fn add(&mut self, row: &DomainRow, target: i64) {
        let (vcpus, mib) = match row.state.is_active() {
            true => (i64::from(row.vcpus), (row.memory_kib / 1024) as i64),
            false => (0, 0),
        };
        self.moves
            .insert(row.uuid.to_ascii_lowercase(), (target, vcpus, mib));
    }

    /// The room the planned moves not yet listed on their target take there
    /// (a finished one is counted by the inventory itself).
    fn in_flight(&self, state: &AppState) -> crate::quota::InFlight {
        let mut room = crate::quota::InFlight::new();
        state.gateway.read(|inv| {
            for (uuid, (to, vcpus, mib)) in &self.moves {
                if inv.domain(*to, uuid).is_none() {
                    let e = room.entry(*to).or_default();
                    e.0 += vcpus;
                    e.1 += mib;
                }
            }
        });
        room
    }
}

/// A checked move, ready to run.
pub struct Move {
    pub target: i64,
    pub target_name: String,
    pub spec: MigrateSpec,
    pub mode: DiskMode,
    /// Volumes left on the source once their copies run on the target:
    /// (pool, volume name).
    pub source_copies: Vec<(String, String)>,
    /// A shut-off VM's volumes to copy before its definition moves.
    pub offline_copies: Vec<VolumeCopy>,
    /// Its volumes, owned by its workspace on the target once it moved:
    /// (source pool, name, target pool).
    pub owned: Vec<(String, String, String)>,
}

fn number(
    field: &str,
    typed: &str,
    default: u64,
    range: (u64, u64),
    rule: Key,
) -> Result<u64, AppError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(default);
    }
    typed
        .parse::<u64>()
        .ok()
        .filter(|v| (range.0..=range.1).contains(v))
        .ok_or_else(|| AppError::field(field, rule))
}

/// Where every domain is, with the moves of `planned` applied: UUID → host.
pub fn places(state: &AppState, planned: &Planned) -> HashMap<String, i64> {
    let mut at: HashMap<String, i64> = state.gateway.read(|inv| {
        inv.hosts
            .values()
            .flat_map(|h| {
                h.domains
                    .values()
                    .map(|d| (d.uuid.to_ascii_lowercase(), h.id))
            })
            .collect()
    });
    at.extend(planned.moves.iter().map(|(u, (to, _, _))| (u.clone(), *to)));
    at
}

/// Leaves the hosts no must-rule forbids for `row`, those no rule at all
/// forbids first; or names the first must-rule every host breaks.
fn by_affinity(
    rules: &[crate::affinity::Rule],
    row: &DomainRow,
    hosts: Vec<Candidate>,
    at: &HashMap<String, i64>,
) -> Result<Vec<Candidate>, AppError> {
    let uuid = row.uuid.to_ascii_lowercase();
    crate::affinity::hosts_for(rules, &uuid, hosts, |c| c.host_id, at)
        .map_err(|rule| AppError::field_about("target", Key::MoveAffinity, &rule))
}

fn dir_of(path: &str) -> String {
    std::path::Path::new(path)
        .parent()
        .map(|p| p.to_string_lossy().trim_end_matches('/').to_string())
        .unwrap_or_default()
}

/// Of `hosts`, those that share with container `row`'s host the storage
/// of every directory it mounts (its root is never copied).
pub async fn sharing_root(
    state: &AppState,
    row: &DomainRow,
    hosts: Vec<Candidate>,
) -> Result<Vec<Candidate>, AppError> {
    let detail = state.gateway.domain_detail(row.host_id, &row.uuid).await?;
    let dirs: BTreeSet<String> = detail
        .config
        .disks
        .iter()
        .filter(|d| d.device == "filesystem" && d.source.starts_with('/'))
        .map(|d| dir_of(&d.source))
        .collect();
    let mut sharing = Vec::new();
    for c in hosts {
        let facts = state
            .gateway
            .move_facts(
                row.host_id,
                &row.uuid,
                c.host_id,
                dirs.clone(),
                BTreeSet::new(),
            )
            .await?;
        if facts.dirs.iter().all(|d| d.shared) {
            sharing.push(c);
        }
    }
    Ok(sharing)
}

/// The pre-checks: everything is known good before anything moves.
pub async fn check(
    state: &AppState,
    row: &DomainRow,
    form: &MoveForm,
    planned: &Planned,
) -> Result<Move, AppError> {
    if let Some(why) = blocked(state, row) {
        return Err(AppError::field("target", why));
    }
    let bandwidth_mib = number(
        "bandwidth_mib",
        &form.bandwidth_mib,
        state.fleet.migration_bandwidth_mib,
        (0, MAX_BANDWIDTH_MIB),
        Key::ErrMoveBandwidth,
    )?;
    let max_downtime_ms = number(
        "max_downtime_ms",
        &form.max_downtime_ms,
        state.fleet.migration_max_downtime_ms,
        (1, MAX_DOWNTIME_MS),
        Key::ErrMoveDowntime,
    )?;
    // A container never moves live: it is stopped and started again.
    let live = row.state.is_active() && row.kind == DomainKind::Vm;
    let hosts = targets(state, row, &planned.in_flight(state)).await?;
    let rules = crate::store::affinity::all(&state.pool).await?;
    let at = places(state, planned);
    let overcommit = state.fleet.overcommit;
    let memory_mib = row.memory_kib / 1024;
    let choice = match form.target.trim() {
        "auto" | "" => crate::placement::choose(
            &by_affinity(&rules, row, hosts, &at)?,
            row.vcpus,
            memory_mib,
            overcommit,
            crate::placement::Policy::Spread,
        )
        .ok_or_else(|| AppError::field("target", Key::ErrNoHostRoom))?,
        typed => {
            let id = typed
                .parse::<i64>()
                .map_err(|_| AppError::field("target", Key::ErrHostNotAllowed))?;
            let one: Vec<_> = hosts.into_iter().filter(|c| c.host_id == id).collect();
            if one.is_empty() {
                return Err(AppError::field("target", Key::ErrHostNotAllowed));
            }
            let one = by_affinity(&rules, row, one, &at)?;
            // A shut-off domain takes no room until it starts.
            let (vcpus, mib) = if row.state.is_active() {
                (row.vcpus, memory_mib)
            } else {
                (0, 0)
            };
            crate::placement::choose(
                &one,
                vcpus,
                mib,
                overcommit,
                crate::placement::Policy::Spread,
            )
            .ok_or_else(|| AppError::field("target", Key::ErrNoHostRoom))?
        }
    };
    let detail = state.gateway.domain_detail(row.host_id, &row.uuid).await?;
    let file_disks: Vec<_> = detail
        .config
        .disks
        .iter()
        .filter(|d| {
            matches!(d.device.as_str(), "disk" | "cdrom" | "filesystem")
                && d.source.starts_with('/')
        })
        .collect();
    let dirs: BTreeSet<String> = file_disks.iter().map(|d| dir_of(&d.source)).collect();
    let networks: BTreeSet<String> = detail
        .config
        .nics
        .iter()
        .filter(|n| n.kind == "network")
        .map(|n| n.source.clone())
        .collect();
    let facts: MoveFacts = state
        .gateway
        .move_facts(row.host_id, &row.uuid, choice.host_id, dirs, networks)
        .await?;
    if !facts.missing_networks.is_empty() {
        return Err(AppError::field("target", Key::MoveNetworkMissing));
    }
    if facts.cpu_incompatible {
        return Err(AppError::field("target", Key::MoveCpuIncompatible));
    }
    let shared = |path: &str| facts.dirs.iter().any(|d| d.dir == dir_of(path) && d.shared);
    // A container's root (any directory it mounts) is never copied.
    if let Some(fs) = file_disks
        .iter()
        .find(|d| d.device == "filesystem" && !shared(&d.source))
    {
        return Err(AppError::field_about(
            "target",
            Key::MoveRootNotShared,
            &fs.source,
        ));
    }
    if facts.dirs.iter().any(|d| d.target_pool.is_none()) {
        return Err(AppError::field("target", Key::MoveNoPool));
    }
    if file_disks
        .iter()
        .any(|d| d.device == "cdrom" && !shared(&d.source))
    {
        return Err(AppError::field("target", Key::MoveMediaNotShared));
    }
    // Every volume of the domain (its workspace's on the target once it
    // moved), and whether it must be copied: ((source pool, volume, target
    // pool), copied).
    let volumes: Vec<((String, String, String), bool)> = file_disks
        .iter()
        .filter(|d| d.device != "cdrom")
        .filter_map(|d| {
            let dir = facts.dirs.iter().find(|f| f.dir == dir_of(&d.source))?;
            let name = std::path::Path::new(&d.source).file_name()?;
            let name = name.to_string_lossy().to_string();
            let key = (dir.source_pool.clone()?, name, dir.target_pool.clone()?);
            Some((key, d.device == "disk" && !dir.shared))
        })
        .collect();
    let owned: Vec<_> = volumes.iter().map(|(v, _)| v.clone()).collect();
    // Disks only the source sees.
    let unshared: Vec<(String, String, String)> = volumes
        .into_iter()
        .filter_map(|(v, copied)| copied.then_some(v))
        .collect();
    let copies: Vec<(String, String)> = unshared
        .iter()
        .map(|(pool, name, _)| (pool.clone(), name.clone()))
        .collect();
    // A shut-off VM's: copied through the storage API before it moves.
    let offline_copies = match live {
        true => Vec::new(),
        false => unshared
            .into_iter()
            .map(|(from_pool, name, to_pool)| VolumeCopy {
                from_host: row.host_id,
                from_pool,
                name,
                to_host: choice.host_id,
                to_pool,
            })
            .collect(),
    };
    let mode = match (file_disks.is_empty(), copies.is_empty()) {
        (true, _) => DiskMode::None,
        (false, true) => DiskMode::Shared,
        (false, false) => DiskMode::Copy,
    };
    let target_uri = state
        .gateway
        .read(|inv| inv.hosts.get(&choice.host_id).map(|h| h.uri.clone()))
        .ok_or(AppError::NotFound)?;
    Ok(Move {
        target: choice.host_id,
        target_name: choice.reason.host,
        spec: MigrateSpec {
            target_uri,
            live,
            copy_disks: mode == DiskMode::Copy,
            bandwidth_mib,
            max_downtime_ms,
        },
        mode,
        source_copies: copies,
        offline_copies,
        owned,
    })
}
