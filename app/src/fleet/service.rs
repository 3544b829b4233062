//! The fleet's service: a create from its form to a running domain
//! (template, checks, workspace limits, placement, quota, the host), and
//! what clones and resizes share with it. Server functions call it once
//! the guard allowed them.

use crate::domxml::build::{DomainSpec, Flavor};
use crate::error::AppError;
use crate::fleet::media::Chooser;
use crate::fleet::plan::{validate, Plan, PlanKind};
use crate::gateway::{NewRoot, NewStorage, NewVolume};
use crate::i18n::Key;
use crate::model::domain::Created;
use crate::model::forms::CreateForm;
use crate::model::host::HostState;
use crate::model::workspace::WorkspaceView;
use crate::placement::{choose, Candidate};
use crate::quota::{reserve, Ask};
use crate::state::AppState;

pub use crate::service::workspaces::by_slug as workspace;

/// How long a create that passed its deadline keeps its quota share
/// while it may still finish.
pub const RECONCILE_WAIT: std::time::Duration = std::time::Duration::from_secs(4 * 3600);

/// Applies an administrator's template to the form, when one is chosen;
/// whether it was.
async fn apply_template(pool: &sqlx::SqlitePool, form: &mut CreateForm) -> Result<bool, AppError> {
    let Ok(id) = form.template.trim().parse::<i64>() else {
        return Ok(false);
    };
    let t = crate::store::templates::by_id(pool, id)
        .await?
        .ok_or_else(|| AppError::field("template", Key::ErrNotFound))?;
    form.kind = "vm".into();
    form.vcpus = t.vcpus.to_string();
    form.memory_mib = t.memory_mib.to_string();
    form.disk_gib = t.disk_gib.to_string();
    form.network = t.network;
    form.boot = t.boot;
    form.iso = t.boot_iso;
    form.kernel = t.kernel;
    form.initrd = t.initrd;
    form.cmdline = t.cmdline;
    Ok(true)
}

/// Creates what the form asks for, once the guard allowed it: template,
/// checks, workspace limits, placement, quota, then the host. `by` is who
/// asks; a template's boot media count as an administrator's.
pub async fn create(
    state: &AppState,
    mut form: CreateForm,
    by: Chooser,
) -> Result<Created, AppError> {
    let by = match apply_template(&state.pool, &mut form).await? {
        true => Chooser::Administrator,
        false => by,
    };
    let plan = validate(&form, by).map_err(AppError::Invalid)?;
    let ws = workspace(state, &plan.workspace)
        .await?
        .ok_or_else(|| AppError::field("workspace", Key::DenyNotMember))?;
    execute(state, &ws, plan).await
}

async fn execute(state: &AppState, ws: &WorkspaceView, plan: Plan) -> Result<Created, AppError> {
    check_allowed(ws, &plan)?;
    let container = matches!(plan.kind, PlanKind::Container { .. });
    let ask = Ask {
        starts: plan.start,
        ..Ask::domain(
            i64::from(plan.vcpus),
            plan.memory_mib as i64,
            plan.disk_gib() as i64,
        )
    };
    let lock = state.quota_lock.clone();
    let target = crate::quota::ForDomain {
        workspace_id: ws.id,
        slug: &ws.slug,
        name: &plan.name,
    };
    let join = match plan.affinity {
        Some(id) => Some(crate::service::affinity::to_join(state, &ws.slug, id).await?),
        None => None,
    };
    let (reservation, host_id, placement) = reserve(state, target, &ws.quotas, ask, |in_flight| {
        place(state, ws, &plan, (container, join.as_ref()), in_flight)
    })
    .await?;
    let (spec, volume) = match build_spec(state, ws, &plan, host_id).await {
        Ok(x) => x,
        Err(e) => {
            reservation.release(&state.pool).await;
            return Err(e);
        }
    };
    let made = state
        .gateway
        .create_domain(host_id, spec, volume, plan.start)
        .await;
    match made {
        Ok((row, root_bytes)) => {
            let created = Created {
                host_id,
                uuid: row.uuid.clone(),
                name: row.name.clone(),
                placement: Some(placement),
            };
            if let PlanKind::Container { pool, .. } = &plan.kind {
                // Its own root is its workspace's, counted against the
                // disk quota from now on (its size is known once copied).
                let root = format!("{}-root", plan.name);
                let key = crate::store::volumes::VolumeKey {
                    host_id,
                    pool,
                    name: &root,
                };
                let gib = crate::service::volumes::gib_of(root_bytes);
                if let Err(e) = crate::store::volumes::assign(&state.pool, key, ws.id, gib).await {
                    tracing::error!(error = %e, root, "could not record a container root's owner");
                }
            }
            if let Some(rule) = &join {
                crate::service::affinity::joined(state, rule.id, &created.uuid).await;
            }
            reservation
                .settle(&state.pool, &lock, &state.gateway, row)
                .await;
            Ok(created)
        }
        Err(AppError::Host(Key::HostErrDeadline)) => {
            let target = (host_id, plan.name.clone());
            let (pool, gateway) = (state.pool.clone(), state.gateway.clone());
            reservation.release_when_listed(pool, gateway, target, RECONCILE_WAIT);
            Err(AppError::Host(Key::HostErrDeadline))
        }
        Err(err) => {
            reservation.release(&state.pool).await;
            Err(name_taken_on_field(err))
        }
    }
}

/// A name taken on the host is the name field's problem.
pub fn name_taken_on_field(err: AppError) -> AppError {
    match err {
        AppError::Host(Key::ErrNameOnHost) => AppError::field("name", Key::ErrNameOnHost),
        other => other,
    }
}

/// Networks and pools must be allowed to the workspace (an empty list
/// allows any).
fn check_allowed(ws: &WorkspaceView, plan: &Plan) -> Result<(), AppError> {
    if let Some(net) = &plan.network {
        if !ws.networks.is_empty() && !ws.networks.contains(net) {
            return Err(AppError::field("network", Key::ErrNetworkNotAllowed));
        }
    }
    let allowed = |pool: &String| ws.pools.is_empty() || ws.pools.contains(pool);
    match &plan.kind {
        PlanKind::Vm {
            disk_gib,
            pool,
            iso,
            ..
        } => {
            if *disk_gib > 0 && !allowed(pool) {
                return Err(AppError::field("pool", Key::ErrPoolNotAllowed));
            }
            if iso.as_ref().is_some_and(|iso| !allowed(&iso.pool)) {
                return Err(AppError::field("iso", Key::ErrPoolNotAllowed));
            }
        }
        PlanKind::Container { pool, .. } if !allowed(pool) => {
            return Err(AppError::field("pool", Key::ErrPoolNotAllowed));
        }
        PlanKind::Container { .. } => {}
    }
    Ok(())
}

/// The named host if allowed, connected and with room, else the
/// scheduler's choice by the plan's (or the server's default) policy; of
/// the hosts the affinity rule it joins admits. Creates in flight count as
/// used.
pub fn place(
    state: &AppState,
    ws: &WorkspaceView,
    plan: &Plan,
    (container, join): (bool, Option<&crate::affinity::Rule>),
    in_flight: &crate::quota::InFlight,
) -> Result<(i64, crate::placement::Reason), AppError> {
    let mut candidates = candidates(state, &ws.hosts, container, in_flight);
    let policy = plan.policy.unwrap_or(state.fleet.policy);
    if let Some(id) = plan.host {
        candidates.retain(|c| c.host_id == id);
        if candidates.is_empty() {
            return Err(AppError::field("host", Key::ErrHostNotAllowed));
        }
    }
    if let Some(rule) = join {
        candidates = crate::service::affinity::for_new(state, rule, candidates)?;
    }
    let choice = choose(
        &candidates,
        plan.vcpus,
        plan.memory_mib,
        state.fleet.overcommit,
        policy,
    )
    .ok_or_else(|| AppError::field("host", Key::ErrNoHostRoom))?;
    Ok((
        choice.host_id,
        crate::placement::Reason {
            by_hand: plan.host.is_some(),
            ..choice.reason
        },
    ))
}

/// The connected hosts of `allowed` (every host when empty), not in
/// maintenance, that run containers (or VMs) as placement sees them;
/// creates in flight count as used.
pub fn candidates(
    state: &AppState,
    allowed: &[i64],
    container: bool,
    in_flight: &crate::quota::InFlight,
) -> Vec<Candidate> {
    state.gateway.read(|inv| {
        inv.hosts
            .values()
            .filter(|h| h.state == HostState::Connected)
            .filter(|h| h.maintenance == crate::model::host::Maintenance::Off)
            .filter(|h| allowed.is_empty() || allowed.contains(&h.id))
            .filter(|h| {
                h.facts.as_ref().is_some_and(|f| {
                    f.hypervisor.to_ascii_uppercase().starts_with("LXC") == container
                })
            })
            .map(|h| {
                let facts = h.facts.clone().unwrap_or_default();
                let active = h.domains.values().filter(|d| d.state.is_active());
                let (flight_vcpus, flight_mib) = in_flight.get(&h.id).copied().unwrap_or_default();
                Candidate {
                    host_id: h.id,
                    name: h.name.clone(),
                    cpus: facts.cpus,
                    memory_mib: facts.memory_kib / 1024,
                    vcpus_used: active.clone().map(|d| d.vcpus).sum::<u32>()
                        + flight_vcpus.max(0) as u32,
                    memory_used_mib: active.map(|d| d.memory_kib / 1024).sum::<u64>()
                        + flight_mib.max(0) as u64,
                }
            })
            .collect()
    })
}

async fn build_spec(
    state: &AppState,
    ws: &WorkspaceView,
    plan: &Plan,
    host_id: i64,
) -> Result<(DomainSpec, Option<NewStorage>), AppError> {
    let (flavor, volume) = match &plan.kind {
        PlanKind::Vm {
            disk_gib,
            disk_format,
            pool,
            boot,
            iso,
        } => {
            // libvirt on the chosen host says where the ISO volume is;
            // another workspace's volume is not this one's boot medium.
            let boot = match iso {
                Some(iso) => {
                    let key = crate::store::volumes::VolumeKey {
                        host_id,
                        pool: &iso.pool,
                        name: &iso.volume,
                    };
                    let owner = crate::service::volumes::owner(state, key).await;
                    if !matches!(&owner, Ok((o, _)) if o.as_ref().is_none_or(|o| *o == ws.slug)) {
                        return Err(AppError::field("iso", Key::ErrIsoNotOnHost));
                    }
                    state
                        .gateway
                        .volume_path(host_id, &iso.pool, &iso.volume)
                        .await
                        .map(crate::domxml::build::Boot::Iso)
                        .map_err(|_| AppError::field("iso", Key::ErrIsoNotOnHost))?
                }
                None => boot.clone(),
            };
            let volume = (*disk_gib > 0).then(|| {
                NewStorage::Disk(NewVolume {
                    pool: pool.clone(),
                    gib: *disk_gib,
                    format: disk_format.clone(),
                })
            });
            (
                Flavor::Vm {
                    hypervisor: String::new(),
                    emulator: None,
                    disk: None,
                    boot,
                },
                volume,
            )
        }
        PlanKind::Container {
            init,
            args,
            rootfs_id,
            pool,
        } => {
            let rootfs = crate::store::templates::rootfs_by_id(&state.pool, *rootfs_id)
                .await?
                .ok_or_else(|| AppError::field("rootfs", Key::ErrRootfs))?;
            // The gateway copies the root filesystem into a root of the
            // container's own and names it here.
            (
                Flavor::Container {
                    init: init.clone(),
                    args: args.clone(),
                    rootfs: String::new(),
                },
                Some(NewStorage::Root(NewRoot {
                    pool: pool.clone(),
                    template: rootfs.path,
                })),
            )
        }
    };
    let spec = DomainSpec {
        name: plan.name.clone(),
        vcpus: plan.vcpus,
        memory_mib: plan.memory_mib,
        network: plan.network.clone(),
        workspace: Some(ws.slug.clone()),
        tags: Default::default(),
        limits: plan.limits.clone(),
        flavor,
    };
    Ok((spec, volume))
}
