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

/// `target` when it is a path on this site, for a redirect after sign-in or
/// a preference change (no open redirect): it starts with one `/`, has no
/// backslash, and only printable ASCII — browsers drop tabs and newlines
/// from a URL, so `/\t/evil.example` would reach `//evil.example`, and a
/// header value cannot carry a control character at all.
pub fn local_path(target: &str) -> Option<&str> {
    let ok = target.starts_with('/')
        && !target.starts_with("//")
        && !target.contains('\\')
        && target.bytes().all(|b| b.is_ascii_graphic());
    ok.then_some(target)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_redirect_targets() {
        for good in ["/", "/inventory?q=a%20b", "/domains/3f2a"] {
            assert_eq!(local_path(good), Some(good));
        }
        for bad in [
            "",
            "hosts",
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\u{1}x",
            "/ /evil.example",
            "/\u{7f}x",
            "/é",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
