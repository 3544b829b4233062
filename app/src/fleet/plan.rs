//! The create form, validated into a plan: every field's rule, no I/O.

use crate::domxml::build::{Boot, Limits};
use crate::error::FieldError;
use crate::fleet::media::{Chooser, IsoVolume};
use crate::i18n::Key;

pub use crate::model::forms::{CreateForm, LimitsForm};

/// A validated create.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub name: String,
    pub workspace: String,
    /// `None`: let the scheduler choose.
    pub host: Option<i64>,
    /// `None`: the server's default policy.
    pub policy: Option<crate::placement::Policy>,
    pub vcpus: u32,
    pub memory_mib: u64,
    pub network: Option<String>,
    pub limits: Limits,
    pub start: bool,
    pub kind: PlanKind,
    /// The affinity rule the domain joins (placement honours it).
    pub affinity: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlanKind {
    Vm {
        disk_gib: u64,
        disk_format: String,
        pool: String,
        boot: Boot,
        /// An ISO volume to boot from, resolved on the chosen host.
        iso: Option<IsoVolume>,
    },
    Container {
        init: String,
        args: Vec<String>,
        rootfs_id: i64,
        /// The pool its own root is copied into.
        pool: String,
    },
}

impl Plan {
    pub fn disk_gib(&self) -> u64 {
        match &self.kind {
            PlanKind::Vm { disk_gib, .. } => *disk_gib,
            PlanKind::Container { .. } => 0,
        }
    }
}

/// A domain name: 1–63 of `A-Za-z0-9._-`.
pub fn vm_name(raw: &str) -> Result<String, FieldError> {
    let ok = (1..=63).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(raw.to_string())
    } else {
        Err(FieldError::new("name", Key::ErrVmName))
    }
}

fn number<T: std::str::FromStr + PartialOrd>(
    field: &str,
    raw: &str,
    lo: T,
    hi: T,
    key: Key,
) -> Result<T, FieldError> {
    match raw.trim().parse::<T>() {
        Ok(v) if v >= lo && v <= hi => Ok(v),
        _ => Err(FieldError::new(field, key)),
    }
}

fn optional<T: std::str::FromStr + PartialOrd>(
    field: &str,
    raw: &str,
    lo: T,
    hi: T,
) -> Result<Option<T>, FieldError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    number(field, raw, lo, hi, Key::ErrLimit).map(Some)
}

fn limits(f: &CreateForm, errors: &mut Vec<FieldError>) -> Limits {
    let form = LimitsForm {
        cpu_shares: f.cpu_shares.clone(),
        cpu_quota_us: f.cpu_quota_us.clone(),
        cpu_period_us: f.cpu_period_us.clone(),
        memory_hard_limit_mib: f.memory_hard_limit_mib.clone(),
        blkio_weight: f.blkio_weight.clone(),
    };
    parse_limits(&form, errors)
}

fn parse_limits(f: &LimitsForm, errors: &mut Vec<FieldError>) -> Limits {
    let mut take =
        |r: Result<Option<i64>, FieldError>| r.map_err(|e| errors.push(e)).ok().flatten();
    let shares = take(optional("cpu_shares", &f.cpu_shares, 2, 262_144));
    let period = take(optional("cpu_period_us", &f.cpu_period_us, 1000, 1_000_000));
    let quota = if f.cpu_quota_us.trim() == "-1" {
        Some(-1)
    } else {
        take(optional(
            "cpu_quota_us",
            &f.cpu_quota_us,
            1000,
            17_592_186_044_415,
        ))
    };
    let hard = take(optional(
        "memory_hard_limit_mib",
        &f.memory_hard_limit_mib,
        64,
        1 << 30,
    ));
    // 0 clears a weight the host's I/O scheduler cannot honour.
    let weight = if f.blkio_weight.trim() == "0" {
        Some(0)
    } else {
        take(optional("blkio_weight", &f.blkio_weight, 100, 1000))
    };
    Limits {
        cpu_shares: shares.map(|v| v as u64),
        cpu_quota_us: quota,
        cpu_period_us: period.map(|v| v as u64),
        memory_hard_limit_mib: hard.map(|v| v as u64),
        blkio_weight: weight.map(|v| v as u32),
    }
}

/// The limits edit form, each rule as at create.
pub fn validate_limits(f: &LimitsForm) -> Result<Limits, Vec<FieldError>> {
    let mut errors = Vec::new();
    let limits = parse_limits(f, &mut errors);
    if errors.is_empty() {
        Ok(limits)
    } else {
        Err(errors)
    }
}

/// New vCPUs and memory for a shut-off domain, each rule as at create.
pub fn validate_resize(vcpus: &str, memory_mib: &str) -> Result<(u32, u64), Vec<FieldError>> {
    let mut errors = Vec::new();
    let v = keep(&mut errors, number("vcpus", vcpus, 1u32, 64, Key::ErrVcpus));
    let m = keep(
        &mut errors,
        number("memory_mib", memory_mib, 64u64, 1_048_576, Key::ErrMemory),
    );
    match (v, m) {
        (Some(v), Some(m)) => Ok((v, m)),
        _ => Err(errors),
    }
}

fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// Validates the whole form; every broken rule is reported at once. `by`
/// says whether its boot media may be paths (see `fleet::media`).
pub fn validate(f: &CreateForm, by: Chooser) -> Result<Plan, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = keep(&mut errors, vm_name(f.name.trim()));
    let vcpus = keep(
        &mut errors,
        number("vcpus", &f.vcpus, 1u32, 64, Key::ErrVcpus),
    );
    let memory = keep(
        &mut errors,
        number(
            "memory_mib",
            &f.memory_mib,
            64u64,
            1_048_576,
            Key::ErrMemory,
        ),
    );
    let host = match f.host.trim() {
        "" | "auto" => Some(None),
        h => keep(
            &mut errors,
            h.parse::<i64>()
                .map(Some)
                .map_err(|_| FieldError::new("host", Key::ErrNotFound)),
        ),
    };
    let policy = match f.placement.trim() {
        "" => None,
        p => {
            let parsed = crate::placement::Policy::parse(p);
            if parsed.is_none() {
                errors.push(FieldError::new("placement", Key::ErrPlacementPolicy));
            }
            parsed
        }
    };
    let workspace = f.workspace.trim().to_string();
    if workspace.is_empty() {
        errors.push(FieldError::new("workspace", Key::DenyNotMember));
    }
    let kind = if f.kind == "container" {
        if !f.init.trim().starts_with('/') {
            errors.push(FieldError::new("init", Key::ErrInit));
        }
        let rootfs = f
            .rootfs
            .trim()
            .parse::<i64>()
            .map_err(|_| errors.push(FieldError::new("rootfs", Key::ErrRootfs)))
            .ok();
        // Its own root is copied into this pool.
        let pool = keep(
            &mut errors,
            crate::validate::resources::resource_name("pool", f.pool.trim()),
        );
        let rootfs = rootfs.zip(pool);
        rootfs.map(|(rootfs_id, pool)| PlanKind::Container {
            init: f.init.trim().to_string(),
            args: f.args.split_whitespace().map(String::from).collect(),
            rootfs_id,
            pool,
        })
    } else {
        let disk = number(
            "disk_gib",
            if f.disk_gib.trim().is_empty() {
                "0"
            } else {
                &f.disk_gib
            },
            0u64,
            4096,
            Key::ErrDiskSize,
        )
        .map_err(|e| errors.push(e))
        .ok();
        let media = crate::fleet::media::boot(f, by)
            .map_err(|e| errors.push(e))
            .ok();
        let format = if f.disk_format == "raw" {
            "raw"
        } else {
            "qcow2"
        };
        disk.zip(media).map(|(disk_gib, (boot, iso))| PlanKind::Vm {
            disk_gib,
            disk_format: format.into(),
            pool: f.pool.trim().to_string(),
            boot,
            iso,
        })
    };
    let affinity = match f.affinity.trim() {
        "" => None,
        id => id
            .parse::<i64>()
            .map_err(|_| errors.push(FieldError::new("affinity", Key::ErrAffinityRule)))
            .ok(),
    };
    let limits = limits(f, &mut errors);
    let network = Some(f.network.trim().to_string()).filter(|n| !n.is_empty());
    match (name, vcpus, memory, host, kind) {
        (Some(name), Some(vcpus), Some(memory_mib), Some(host), Some(kind))
            if errors.is_empty() =>
        {
            Ok(Plan {
                name,
                workspace,
                host,
                policy,
                vcpus,
                memory_mib,
                network,
                limits,
                start: !f.start.is_empty(),
                kind,
                affinity,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> CreateForm {
        CreateForm {
            kind: "vm".into(),
            name: "qc-vision-07".into(),
            workspace: "test".into(),
            host: "auto".into(),
            vcpus: "2".into(),
            memory_mib: "1024".into(),
            disk_gib: "4".into(),
            pool: "default".into(),
            boot: "none".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_form_plans() {
        let plan = validate(&form(), Chooser::Member).unwrap();
        assert_eq!(
            (plan.vcpus, plan.memory_mib, plan.host, plan.disk_gib()),
            (2, 1024, None, 4)
        );
        assert!(!plan.start);
    }

    #[test]
    fn every_broken_rule_names_its_field() {
        let bad = CreateForm {
            name: "bad name!".into(),
            vcpus: "0".into(),
            memory_mib: "32".into(),
            disk_gib: "5000".into(),
            cpu_shares: "1".into(),
            blkio_weight: "5000".into(),
            ..form()
        };
        let fields: Vec<String> = validate(&bad, Chooser::Member)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "vcpus",
                "memory_mib",
                "disk_gib",
                "cpu_shares",
                "blkio_weight"
            ]
        );
    }

    #[test]
    fn an_io_weight_of_zero_clears_and_other_small_ones_are_refused() {
        let limits = |w: &str| {
            validate_limits(&LimitsForm {
                blkio_weight: w.into(),
                ..Default::default()
            })
        };
        assert_eq!(limits("0").unwrap().blkio_weight, Some(0));
        assert_eq!(limits("").unwrap().blkio_weight, None);
        assert_eq!(limits("50").unwrap_err()[0].field, "blkio_weight");
    }

    #[test]
    fn containers_need_init_and_rootfs() {
        let ct = CreateForm {
            kind: "container".into(),
            ..form()
        };
        let fields: Vec<String> = validate(&ct, Chooser::Member)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["init", "rootfs"]);
        let ok = CreateForm {
            init: "/bin/sh".into(),
            args: "-c  'sleep 1'".into(),
            rootfs: "3".into(),
            ..ct
        };
        assert!(matches!(
            validate(&ok, Chooser::Member).unwrap().kind,
            PlanKind::Container { rootfs_id: 3, .. }
        ));
    }

    #[test]
    fn names() {
        assert!(vm_name("a").is_ok() && vm_name(&"a".repeat(63)).is_ok());
        assert!(
            vm_name("").is_err() && vm_name(&"a".repeat(64)).is_err() && vm_name("a/b").is_err()
        );
    }
}
