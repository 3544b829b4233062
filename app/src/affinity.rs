//! Affinity rules: pin domains to hosts, keep them apart (e.g. the two PLC
//! gateways of one line never on one host) or together; each a must or a
//! should. Pure, so every rule is unit-tested: moves, drains and (next)
//! consolidation ask [`check`] whether a domain may go to a host given
//! where the others are.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::i18n::Key;

/// What a rule asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RuleKind {
    /// Its domains run only on its hosts.
    Pin,
    /// No two of its domains on one host.
    Apart,
    /// All of its domains on one host.
    Together,
}

impl RuleKind {
    pub const ALL: [RuleKind; 3] = [RuleKind::Pin, RuleKind::Apart, RuleKind::Together];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Pin => "pin",
            RuleKind::Apart => "apart",
            RuleKind::Together => "together",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> Key {
        match self {
            RuleKind::Pin => Key::AffinityPin,
            RuleKind::Apart => Key::AffinityApart,
            RuleKind::Together => Key::AffinityTogether,
        }
    }
}

/// One rule as stored and shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub kind: RuleKind,
    /// A must is never broken; a should only when nothing else fits.
    pub must: bool,
    /// Its domains, by UUID.
    pub domains: Vec<String>,
    /// A pin's hosts.
    pub hosts: Vec<i64>,
    /// The workspace whose members manage it ("" for the plant's).
    pub workspace: String,
}

/// A new rule as its form sends it: its name, kind (`pin`, `apart`,
/// `together`), strength (`must`, `should`), the other domains (UUIDs) and
/// a pin's hosts (ids), as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleForm {
    pub name: String,
    pub kind: String,
    pub strength: String,
    #[serde(default)]
    pub others: Vec<String>,
    #[serde(default)]
    pub hosts: Vec<String>,
}

/// A domain's affinity as its page shows it: the rules naming it (with the
/// names of their domains and hosts), and what a new rule may name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DomainAffinity {
    pub rules: Vec<(Rule, Vec<String>, Vec<String>)>,
    /// Other domains of its workspace: (UUID, name).
    pub others: Vec<(String, String)>,
    /// Hosts a pin may name: (id, name).
    pub hosts: Vec<(i64, String)>,
}

/// A rule `domain` on `host` would break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub rule: String,
    pub must: bool,
}

/// The rules `domain` on `host` would break, given where the other domains
/// are (`at`: UUID → host; the domain itself is ignored there).
pub fn check(rules: &[Rule], domain: &str, host: i64, at: &HashMap<String, i64>) -> Vec<Violation> {
    let others = |r: &Rule| {
        r.domains
            .iter()
            .filter(|d| !d.eq_ignore_ascii_case(domain))
            .filter_map(|d| at.get(d).copied())
            .collect::<Vec<i64>>()
    };
    rules
        .iter()
        .filter(|r| r.domains.iter().any(|d| d.eq_ignore_ascii_case(domain)))
        .filter(|r| match r.kind {
            RuleKind::Pin => !r.hosts.contains(&host),
            RuleKind::Apart => others(r).contains(&host),
            RuleKind::Together => others(r).iter().any(|h| *h != host),
        })
        .map(|r| Violation {
            rule: r.name.clone(),
            must: r.must,
        })
        .collect()
}

/// The first must-rule broken, if any: the move is refused naming it.
pub fn refusal(violations: &[Violation]) -> Option<&Violation> {
    violations.iter().find(|v| v.must)
}

/// Of `hosts` (each on host `host_of`), those no must-rule forbids for
/// `domain` — those no rule at all forbids first, should-rules broken only
/// when nothing else is left; or the name of the first must-rule every
/// host breaks.
pub fn hosts_for<T>(
    rules: &[Rule],
    domain: &str,
    hosts: Vec<T>,
    host_of: impl Fn(&T) -> i64,
    at: &HashMap<String, i64>,
) -> Result<Vec<T>, String> {
    let mut first_refusal = None;
    let (mut clean, mut should) = (Vec::new(), Vec::new());
    for h in hosts {
        let v = check(rules, domain, host_of(&h), at);
        match refusal(&v) {
            Some(r) => {
                first_refusal.get_or_insert(r.rule.clone());
            }
            None if v.is_empty() => clean.push(h),
            None => should.push(h),
        }
    }
    match (clean.is_empty(), should.is_empty(), first_refusal) {
        (true, true, Some(rule)) => Err(rule),
        (true, _, _) => Ok(should),
        (false, _, _) => Ok(clean),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_for_prefers_clean_hosts_and_names_a_must_rule_every_host_breaks() {
        let at: HashMap<String, i64> = [("b".to_string(), 1)].into();
        let apart = rule(RuleKind::Apart, false, &["a", "b"], &[]);
        assert_eq!(
            hosts_for(std::slice::from_ref(&apart), "a", vec![1, 2], |h| *h, &at),
            Ok(vec![2])
        );
        // A should-rule is broken only when nothing else is left.
        assert_eq!(hosts_for(&[apart], "a", vec![1], |h| *h, &at), Ok(vec![1]));
        let must = Rule {
            name: "gw-apart".into(),
            ..rule(RuleKind::Apart, true, &["a", "b"], &[])
        };
        assert_eq!(
            hosts_for(&[must], "a", vec![1], |h| *h, &at),
            Err("gw-apart".to_string())
        );
    }

    fn rule(kind: RuleKind, must: bool, domains: &[&str], hosts: &[i64]) -> Rule {
        Rule {
            id: 1,
            name: format!("{}-rule", kind.as_str()),
            kind,
            must,
            domains: domains.iter().map(|d| d.to_string()).collect(),
            hosts: hosts.to_vec(),
            workspace: "ops".into(),
        }
    }

    fn at(pairs: &[(&str, i64)]) -> HashMap<String, i64> {
        pairs.iter().map(|(d, h)| (d.to_string(), *h)).collect()
    }

    #[test]
    fn a_pin_allows_only_its_hosts() {
        let rules = [rule(RuleKind::Pin, true, &["a"], &[1, 2])];
        assert!(check(&rules, "a", 2, &at(&[])).is_empty());
        let v = check(&rules, "a", 3, &at(&[]));
        assert_eq!(v.len(), 1);
        assert_eq!(refusal(&v).unwrap().rule, "pin-rule");
        assert!(check(&rules, "b", 3, &at(&[])).is_empty(), "not its domain");
    }

    #[test]
    fn apart_keeps_its_domains_off_one_host() {
        let rules = [rule(RuleKind::Apart, true, &["gw-1", "gw-2"], &[])];
        let where_ = at(&[("gw-1", 1), ("gw-2", 2)]);
        assert!(!check(&rules, "gw-2", 1, &where_).is_empty());
        assert!(check(&rules, "gw-2", 3, &where_).is_empty());
        // Its own place does not count against it.
        assert!(check(&rules, "GW-1", 1, &where_).is_empty());
    }

    #[test]
    fn together_follows_the_others_and_a_should_is_no_refusal() {
        let rules = [rule(RuleKind::Together, false, &["mes", "db"], &[])];
        let where_ = at(&[("mes", 1), ("db", 1)]);
        let v = check(&rules, "db", 2, &where_);
        assert_eq!(v.len(), 1);
        assert!(refusal(&v).is_none(), "a should only warns");
        assert!(check(&rules, "db", 1, &where_).is_empty());
    }
}
