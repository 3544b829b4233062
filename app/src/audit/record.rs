//! Audit types shared by the server and the browser: what is written, what is
//! stored, how the log is searched, and what verification found.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How an audited action ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", sqlx(rename_all = "lowercase"))]
pub enum Outcome {
    /// Allowed and done.
    Ok,
    /// Refused by policy before anything was attempted.
    Denied,
    /// Allowed, attempted, and failed.
    Failed,
    /// Allowed and about to touch a host: written before it is, closed by
    /// a later record of the same action and target.
    Started,
    /// Allowed and attempted, but the host did not answer within the
    /// deadline: a later record gives the outcome once it does.
    Unknown,
}

impl Outcome {
    /// The stored spelling, also used for CSS classes and filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
            Outcome::Started => "started",
            Outcome::Unknown => "unknown",
        }
    }

    /// The outcome spelled `s` (as `as_str` spells it), if any.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ok" => Some(Outcome::Ok),
            "denied" => Some(Outcome::Denied),
            "failed" => Some(Outcome::Failed),
            "started" => Some(Outcome::Started),
            "unknown" => Some(Outcome::Unknown),
            _ => None,
        }
    }
}

/// What an action was done to. Empty strings when there is no target.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// E.g. `"host"`, `"domain"`, `"user"`.
    pub kind: String,
    /// A stable identifier (database id, UUID) so renames do not lose history.
    pub id: String,
    /// The name people saw at the time.
    pub name: String,
}

impl Target {
    /// A target of `kind` with a stable `id` and the `name` shown today.
    pub fn new(kind: impl Into<String>, id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            id: id.into(),
            name: name.into(),
        }
    }
}

/// One action to record, before the log gives it a sequence number, a time
/// and a place in the hash chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Who acted: a username, or `"system"` for the server itself.
    pub actor: String,
    /// Where the request came from, e.g. a client address or `"startup"`.
    pub source: String,
    /// The workspace slug the action concerns; empty for global actions.
    pub workspace: String,
    /// Dotted verb, e.g. `"host.add"`, so filters can match a prefix.
    pub action: String,
    pub target: Target,
    /// The request's parameters; secrets are redacted when appended.
    pub params: Value,
    /// State before the action, when it changed something.
    pub before: Value,
    /// State after the action, when it changed something.
    pub after: Value,
    pub outcome: Outcome,
    /// Why it was denied or failed, in words an operator can act on.
    pub message: String,
    pub duration_ms: i64,
}

impl AuditEntry {
    /// A successful, targetless entry; chain the setters for the rest.
    pub fn new(
        actor: impl Into<String>,
        source: impl Into<String>,
        action: impl Into<String>,
    ) -> Self {
        Self {
            actor: actor.into(),
            source: source.into(),
            workspace: String::new(),
            action: action.into(),
            target: Target::default(),
            params: Value::Null,
            before: Value::Null,
            after: Value::Null,
            outcome: Outcome::Ok,
            message: String::new(),
            duration_ms: 0,
        }
    }

    /// The workspace (slug) the action concerns.
    pub fn workspace(mut self, workspace: impl Into<String>) -> Self {
        self.workspace = workspace.into();
        self
    }

    /// What the action was done to.
    pub fn target(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    /// The request's parameters (secrets are redacted on append).
    pub fn params(mut self, params: Value) -> Self {
        self.params = params;
        self
    }

    /// The state before and after the action.
    pub fn change(mut self, before: Value, after: Value) -> Self {
        self.before = before;
        self.after = after;
        self
    }

    /// The outcome and its explanation.
    pub fn outcome(mut self, outcome: Outcome, message: impl Into<String>) -> Self {
        self.outcome = outcome;
        self.message = message.into();
        self
    }

    /// How long the action took, policy check included.
    pub fn duration_ms(mut self, duration_ms: i64) -> Self {
        self.duration_ms = duration_ms;
        self
    }
}

/// One stored record, exactly as it is hashed: JSON fields stay the text
/// that was stored, so re-serialising can never change a hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuditRecord {
    /// Position in the chain, from 1, without gaps except a pruned prefix.
    pub seq: i64,
    /// UTC, RFC 3339 with milliseconds (`2026-11-26T11:14:44.123Z`), so text
    /// order is time order.
    pub at: String,
    pub actor: String,
    pub source: String,
    pub workspace: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub target_name: String,
    /// JSON text.
    pub params: String,
    /// JSON text.
    pub before: String,
    /// JSON text.
    pub after: String,
    pub outcome: Outcome,
    pub message: String,
    pub duration_ms: i64,
    /// The previous record's `hash`, or 64 zeros for the first record.
    pub prev_hash: String,
    /// Hex SHA-256 over `prev_hash` and this record's canonical form.
    pub hash: String,
}

/// The most records one page may hold, so one request cannot load the log.
pub const MAX_PAGE: u32 = 500;
/// Records per page when the caller does not say.
pub const DEFAULT_PAGE: u32 = 50;

/// A search of the log. Every set field must match; pages run newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Inclusive lower bound on `at`, in the stored format (a prefix such as
    /// `2026-11-26` works, as text order is time order).
    pub from: Option<String>,
    /// Exclusive upper bound on `at`, in the stored format.
    pub to: Option<String>,
    pub actor: Option<String>,
    pub workspace: Option<String>,
    /// Prefix of the action: `"host."` matches `"host.add"`.
    pub action: Option<String>,
    pub outcome: Option<Outcome>,
    /// Matches `target_id` or `target_name` exactly.
    pub target: Option<String>,
    /// Keyset cursor: only records with `seq < before_seq` (the last `seq` of
    /// the previous page), so deep pages cost the same as the first.
    pub before_seq: Option<i64>,
    /// Page size; clamped to `1..=MAX_PAGE`.
    pub limit: u32,
}

impl Default for AuditFilter {
    fn default() -> Self {
        Self {
            from: None,
            to: None,
            actor: None,
            workspace: None,
            action: None,
            outcome: None,
            target: None,
            before_seq: None,
            limit: DEFAULT_PAGE,
        }
    }
}

impl AuditFilter {
    /// The page size actually used.
    pub fn page_size(&self) -> u32 {
        self.limit.clamp(1, MAX_PAGE)
    }
}

/// What walking the chain found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Records checked before stopping (all of them when the chain holds).
    pub checked: u64,
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    /// The first record at which the chain breaks; `None` when it holds.
    pub broken_at: Option<i64>,
    /// Why it breaks there.
    pub reason: Option<String>,
}

impl VerifyReport {
    /// True when every record checked out.
    pub fn is_intact(&self) -> bool {
        self.broken_at.is_none()
    }
}
