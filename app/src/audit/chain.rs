//! The hash chain, with no I/O: how a record is reduced to bytes, hashed and
//! linked to the one before, and which parameters never reach the log.
//!
//! `hash = hex(SHA-256(prev_hash || canonical))`, where `prev_hash` is the
//! previous record's hash as its 64 hex characters (the genesis record uses
//! 64 zeros) and `canonical` is a JSON array of every stored field but the
//! two hashes, in a fixed order. The JSON fields enter as the text that was
//! stored, so the hash covers exactly the bytes in the database.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::record::{AuditEntry, AuditRecord};

/// The `prev_hash` of the first record ever written.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What replaces a secret value.
pub const REDACTED: &str = "[redacted]";

/// The fields a record's hash covers, as one line of JSON.
pub fn canonical(r: &AuditRecord) -> String {
    let fields = (
        r.seq,
        &r.at,
        &r.actor,
        &r.source,
        &r.workspace,
        &r.action,
        &r.target_kind,
        &r.target_id,
        &r.target_name,
        &r.params,
        &r.before,
        &r.after,
        r.outcome.as_str(),
        &r.message,
        r.duration_ms,
    );
    // Serializing strings and integers cannot fail; a tuple of references
    // spares the copies a `json!` array would make (verify hashes millions).
    serde_json::to_string(&fields).unwrap_or_default()
}

/// Hex SHA-256 of `prev_hash` followed by `canonical`.
pub fn link_hash(prev_hash: &str, canonical: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(prev_hash.as_bytes());
    digest.update(canonical.as_bytes());
    hex::encode(digest.finalize())
}

/// The hash `r` should carry, given its fields and its `prev_hash`.
pub fn record_hash(r: &AuditRecord) -> String {
    link_hash(&r.prev_hash, &canonical(r))
}

/// Makes the stored record for `entry` at position `seq`, linked after
/// `prev_hash`. Secrets are redacted here, before anything is hashed, so no
/// code path can store them: the log is append-only and could not forget.
pub fn seal(seq: i64, at: String, entry: AuditEntry, prev_hash: &str) -> AuditRecord {
    let mut record = AuditRecord {
        seq,
        at,
        actor: entry.actor,
        source: entry.source,
        workspace: entry.workspace,
        action: entry.action,
        target_kind: entry.target.kind,
        target_id: entry.target.id,
        target_name: entry.target.name,
        params: redact(entry.params).to_string(),
        before: redact(entry.before).to_string(),
        after: redact(entry.after).to_string(),
        outcome: entry.outcome,
        message: entry.message,
        duration_ms: entry.duration_ms,
        prev_hash: prev_hash.to_string(),
        hash: String::new(),
    };
    record.hash = record_hash(&record);
    record
}

/// `t` in the stored form: UTC, RFC 3339, milliseconds, `Z`. Fixed width,
/// so comparing the text compares the times.
pub fn timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// `value` with every secret replaced by [`REDACTED`], at any depth. The
/// whole value under a secret-looking key goes, whatever its shape.
pub fn redact(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if is_secret_key(&k) {
                        Value::String(REDACTED.to_string())
                    } else {
                        redact(v)
                    };
                    (k, v)
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        other => other,
    }
}

/// Whether a parameter named `key` holds a secret. Errs towards redacting:
/// a stored secret could only leave the log by pruning everything before it.
fn is_secret_key(key: &str) -> bool {
    const CONTAINS: [&str; 9] = [
        "password",
        "passwd",
        "secret",
        "token",
        "passphrase",
        "private_key",
        "privatekey",
        "api_key",
        "apikey",
    ];
    const EXACT: [&str; 3] = ["key", "access_key", "accesskey"];
    let key = key.to_ascii_lowercase().replace('-', "_");
    CONTAINS.iter().any(|s| key.contains(s)) || EXACT.contains(&key.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::record::{Outcome, Target};
    use serde_json::json;

    fn sealed(seq: i64, prev: &str) -> AuditRecord {
        let entry = AuditEntry::new("alice", "10.0.0.1", "host.add")
            .workspace("press-shop")
            .target(Target::new("host", "7", "Press 1"))
            .params(json!({"uri": "qemu+tcp://press1/system"}))
            .outcome(Outcome::Ok, "")
            .duration_ms(12);
        seal(seq, "2026-11-26T11:14:44.123Z".into(), entry, prev)
    }

    #[test]
    fn canonical_form_is_fixed() {
        let r = sealed(1, GENESIS_HASH);
        assert_eq!(
            canonical(&r),
            r#"[1,"2026-11-26T11:14:44.123Z","alice","10.0.0.1","press-shop","host.add","host","7","Press 1","{\"uri\":\"qemu+tcp://press1/system\"}","null","null","ok","",12]"#
        );
    }

    #[test]
    fn hash_covers_every_field_and_the_link() {
        let r = sealed(1, GENESIS_HASH);
        assert_eq!(r.hash.len(), 64);
        assert_eq!(record_hash(&r), r.hash);
        let mut edited = r.clone();
        edited.duration_ms = 13;
        assert_ne!(record_hash(&edited), r.hash);
        let mut moved = r.clone();
        moved.seq = 2;
        assert_ne!(record_hash(&moved), r.hash);
        let relinked = sealed(1, &r.hash);
        assert_ne!(relinked.hash, r.hash);
    }

    #[test]
    fn known_vector() {
        // SHA-256 of the empty string, to pin the construction to SHA-256.
        assert_eq!(
            link_hash("", ""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let params = json!({
            "name": "press-1",
            "Password": "hunter2",
            "auth": {"api_key": "k", "user": "bob", "ssh-Private-Key": "---"},
            "list": [{"token": 1}, {"key": "x"}],
            "db_passphrase": ["a", "b"],
            "keyboard": "us",
        });
        assert_eq!(
            redact(params),
            json!({
                "name": "press-1",
                "Password": REDACTED,
                "auth": {"api_key": REDACTED, "user": "bob", "ssh-Private-Key": REDACTED},
                "list": [{"token": REDACTED}, {"key": REDACTED}],
                "db_passphrase": REDACTED,
                "keyboard": "us",
            })
        );
    }

    #[test]
    fn seal_redacts_before_hashing() {
        let entry = AuditEntry::new("a", "s", "user.create")
            .params(json!({"password": "hunter2"}))
            .change(json!(null), json!({"secret": "s"}));
        let r = seal(1, "t".into(), entry, GENESIS_HASH);
        assert!(!r.params.contains("hunter2"));
        assert!(!r.after.contains("\"s\""));
        assert_eq!(record_hash(&r), r.hash);
    }

    #[test]
    fn timestamps_are_fixed_width_utc() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_795_691_684_123_456_789).unwrap();
        assert_eq!(timestamp(t), "2026-11-26T11:14:44.123Z");
        let offset = t.to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());
        assert_eq!(timestamp(offset), "2026-11-26T11:14:44.123Z");
    }
}
