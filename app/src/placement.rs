//! Choosing a host for a new domain: pure, so every rule is unit-tested.

use serde::{Deserialize, Serialize};

use crate::i18n::{fill, Key, Locale};

/// Spread new domains over the emptiest host, or pack them onto the fullest
/// host that still has room (to free others for powering down).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Policy {
    #[default]
    Spread,
    Pack,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Spread => "spread",
            Policy::Pack => "pack",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Policy::Spread, Policy::Pack]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// A candidate host's capacity as the scheduler sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub host_id: i64,
    pub name: String,
    pub cpus: u32,
    pub memory_mib: u64,
    /// vCPUs and memory already allocated to its running domains.
    pub vcpus_used: u32,
    pub memory_used_mib: u64,
}

/// The chosen host and why, for the user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub host_id: i64,
    pub reason: Reason,
}

/// Why a host was chosen, in numbers (the audit log keeps them so); worded
/// in the reader's language by [`Reason::text`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub host: String,
    pub free_mib: u64,
    pub memory_mib: u64,
    pub vcpus_used: u32,
    pub cpus: u32,
    pub overcommit: u32,
    pub policy: Policy,
    /// The user named the host; the numbers say it had room.
    pub by_hand: bool,
}

impl Reason {
    pub fn text(&self, locale: Locale) -> String {
        let policy = locale.t(match self.policy {
            Policy::Spread => Key::PolicyWordSpread,
            Policy::Pack => Key::PolicyWordPack,
        });
        let n = |v: u64| v.to_string();
        let body = fill(
            locale.t(Key::PlacementReason),
            &[
                &self.host,
                &n(self.free_mib),
                &n(self.memory_mib),
                &n(self.vcpus_used.into()),
                &n(self.cpus.into()),
                &n(self.overcommit.into()),
                policy,
            ],
        );
        if self.by_hand {
            fill(locale.t(Key::PlacementByHand), &[&body])
        } else {
            body
        }
    }
}

/// Picks a host with room for `vcpus` and `memory_mib`; vCPUs may be
/// overcommitted `overcommit`:1, memory never.
pub fn choose(
    candidates: &[Candidate],
    vcpus: u32,
    memory_mib: u64,
    overcommit: u32,
    policy: Policy,
) -> Option<Choice> {
    let free_mem = |c: &Candidate| c.memory_mib.saturating_sub(c.memory_used_mib);
    let fits = |c: &&Candidate| {
        free_mem(c) >= memory_mib
            && c.vcpus_used + vcpus <= c.cpus.saturating_mul(overcommit.max(1))
    };
    let pick = candidates.iter().filter(fits);
    let best = match policy {
        Policy::Spread => pick.max_by_key(|c| (free_mem(c), std::cmp::Reverse(c.host_id))),
        Policy::Pack => pick.min_by_key(|c| (free_mem(c), c.host_id)),
    }?;
    Some(Choice {
        host_id: best.host_id,
        reason: Reason {
            host: best.name.clone(),
            free_mib: free_mem(best),
            memory_mib: best.memory_mib,
            vcpus_used: best.vcpus_used,
            cpus: best.cpus,
            overcommit,
            policy,
            by_hand: false,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(id: i64, cpus: u32, mem: u64, vused: u32, mused: u64) -> Candidate {
        Candidate {
            host_id: id,
            name: format!("h{id}"),
            cpus,
            memory_mib: mem,
            vcpus_used: vused,
            memory_used_mib: mused,
        }
    }

    #[test]
    fn spread_picks_the_emptiest_pack_the_fullest_that_fits() {
        let hosts = [
            host(1, 8, 16_384, 2, 12_000),
            host(2, 8, 16_384, 2, 4_000),
            host(3, 8, 16_384, 2, 15_000),
        ];
        assert_eq!(
            choose(&hosts, 2, 2048, 4, Policy::Spread).unwrap().host_id,
            2
        );
        assert_eq!(
            choose(&hosts, 2, 2048, 4, Policy::Pack).unwrap().host_id,
            1,
            "h3 has no room"
        );
        let mut reason = choose(&hosts, 2, 2048, 4, Policy::Spread).unwrap().reason;
        assert_eq!(
            reason.text(Locale::En),
            "h2: 12384 MiB of 16384 MiB memory free, 2 of 8 vCPUs allocated (overcommit 4:1), policy spread"
        );
        reason.by_hand = true;
        assert_eq!(
            reason.text(Locale::ZhCn),
            "手动选择 — h2：空闲内存 12384 MiB（共 16384 MiB），已分配 2 / 8 个 vCPU（超配 4:1），策略：分散"
        );
    }

    #[test]
    fn vcpu_overcommit_and_memory_are_limits() {
        let hosts = [host(1, 2, 65_536, 7, 0)];
        assert!(
            choose(&hosts, 1, 512, 4, Policy::Spread).is_some(),
            "7 + 1 <= 2 * 4"
        );
        assert!(
            choose(&hosts, 2, 512, 4, Policy::Spread).is_none(),
            "7 + 2 > 8"
        );
        assert!(
            choose(&hosts, 1, 65_537, 4, Policy::Spread).is_none(),
            "memory is never overcommitted"
        );
        assert!(choose(&[], 1, 1, 4, Policy::Pack).is_none());
    }
}
