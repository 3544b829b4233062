//! Percent-encoding for the few URLs Millwright builds itself.

/// Encodes everything but unreserved characters and `/`, so a path with its
/// query can travel as one query value (`/prefs?back=…`, `/login?next=…`).
pub fn encode_path(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
