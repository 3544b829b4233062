//! Types that validate on construction: once one exists, it is valid.

pub mod resources;

use crate::error::FieldError;
use crate::i18n::Key;
use crate::model::host::PlantTags;

/// URI schemes a host may be registered with.
pub const HOST_SCHEMES: [&str; 7] = [
    "qemu", "qemu+tcp", "qemu+ssh", "qemu+tls", "lxc", "lxc+tcp", "test",
];

/// A libvirt connection URI whose scheme Millwright supports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostUri(String);

impl HostUri {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let uri = raw.trim();
        let err = |key| Err(FieldError::new("uri", key));
        if uri.is_empty() {
            return err(Key::ErrUriEmpty);
        }
        if uri.len() > 512 || uri.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return err(Key::ErrUriChars);
        }
        let Some((scheme, rest)) = uri.split_once("://") else {
            return err(Key::ErrUriScheme);
        };
        if !HOST_SCHEMES.contains(&scheme) {
            return err(Key::ErrUriScheme);
        }
        // `rest` is "[user@]host[:port]/path[?query]"; local schemes have no host.
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let path = path.split('?').next().unwrap_or_default();
        let remote = scheme.contains('+');
        if remote && authority.is_empty() {
            return err(Key::ErrUriHost);
        }
        if !remote && scheme != "test" && !authority.is_empty() {
            return err(Key::ErrUriLocalHost);
        }
        if scheme == "test" {
            if path.is_empty() {
                return err(Key::ErrUriPath);
            }
        } else if path != "system" && path != "session" {
            return err(Key::ErrUriPath);
        }
        Ok(HostUri(uri.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `uri` reaches a daemon on this machine (a local scheme, or a
    /// remote one to a loopback address), whose files this process sees.
    pub fn on_this_machine(uri: &str) -> bool {
        let Some((scheme, rest)) = uri.split_once("://") else {
            return false;
        };
        if scheme == "test" {
            return false;
        }
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        if authority.is_empty() {
            // `qemu:///system`: the daemon of this machine.
            return !scheme.contains('+');
        }
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => host.split(':').next().unwrap_or_default(),
        };
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

/// A display name for a host: 1–64 printable characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(FieldError::new(field, Key::ErrDisplayName));
        }
        Ok(DisplayName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A username: 1–32 of `A-Za-z0-9._-`.
pub fn username(raw: &str) -> Result<(), FieldError> {
    let ok = (1..=32).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(FieldError::new("username", Key::ErrUsername))
    }
}

/// A workspace key: 2–32 of `a-z0-9-`, starting with a letter.
pub fn slug(raw: &str) -> Result<(), FieldError> {
    let b = raw.as_bytes();
    let ok = (2..=32).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-');
    if ok {
        Ok(())
    } else {
        Err(FieldError::new("slug", Key::ErrSlug))
    }
}

/// A quota: empty (no limit) or a whole number 0–1,000,000.
pub fn quota(field: &str, raw: &str) -> Result<Option<i64>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(n) if (0..=1_000_000).contains(&n) => Ok(Some(n)),
        _ => Err(FieldError::new(field, Key::ErrQuota)),
    }
}

/// Validates plant/area/line/cell tags: each at most 48 printable characters.
pub fn parse_tags(
    plant: &str,
    area: &str,
    line: &str,
    cell: &str,
) -> Result<PlantTags, Vec<FieldError>> {
    let mut tags = PlantTags::default();
    let mut errors = Vec::new();
    for (key, raw) in [
        ("plant", plant),
        ("area", area),
        ("line", line),
        ("cell", cell),
    ] {
        let value = raw.trim();
        if value.chars().count() > 48 || value.chars().any(char::is_control) {
            errors.push(FieldError::new(key, Key::ErrTag));
        } else {
            tags.set(key, value);
        }
    }
    if errors.is_empty() {
        Ok(tags)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_supported_scheme() {
        for uri in [
            "qemu:///system",
            "qemu:///session",
            "qemu+tcp://127.0.0.2:16510/system",
            "qemu+ssh://root@line3-kvm.plant.local/system",
            "qemu+tls://10.1.2.3/system",
            "lxc:///system",
            "lxc+tcp://127.0.0.2:16510/system",
            "test:///default",
            "test:///srv/millwright/demo/hosts/press-line-1.xml",
            "qemu+ssh://admin@host/system?keyfile=/root/.ssh/id_ed25519",
        ] {
            assert!(HostUri::parse(uri).is_ok(), "{uri} should be accepted");
        }
    }

    #[test]
    fn knows_which_uris_reach_this_machine() {
        for uri in [
            "qemu:///system",
            "lxc:///system",
            "qemu+tcp://127.0.0.2:16510/system",
            "qemu+ssh://root@localhost/system",
            "qemu+tcp://[::1]:16509/system",
        ] {
            assert!(HostUri::on_this_machine(uri), "{uri}");
        }
        for uri in [
            "test:///default",
            "qemu+ssh://root@line3-kvm.plant.local/system",
            "qemu+tcp://10.0.0.2/system",
            "qemu+ssh://127.0.0.1.evil.example/system",
            "qemu://line3-kvm.plant.local/system",
        ] {
            assert!(!HostUri::on_this_machine(uri), "{uri}");
        }
    }

    #[test]
    fn refuses_bad_uris_with_the_rule() {
        let cases = [
            ("", Key::ErrUriEmpty),
            ("http://example.com/", Key::ErrUriScheme),
            ("xen:///system", Key::ErrUriScheme),
            ("qemu-system", Key::ErrUriScheme),
            ("qemu+tcp:///system", Key::ErrUriHost),
            ("qemu://otherhost/system", Key::ErrUriLocalHost),
            ("qemu:///", Key::ErrUriPath),
            ("qemu+tcp://h/elsewhere", Key::ErrUriPath),
            ("test://", Key::ErrUriPath),
            ("qemu:///sys tem", Key::ErrUriChars),
        ];
        for (uri, key) in cases {
            let err = HostUri::parse(uri).expect_err(uri);
            assert_eq!(err.field, "uri");
            assert_eq!(err.key, key, "{uri}");
        }
    }

    #[test]
    fn usernames_slugs_quotas() {
        assert!(username("op.anna-2").is_ok());
        assert!(
            username("").is_err() && username("a b").is_err() && username(&"a".repeat(33)).is_err()
        );
        assert!(slug("ops").is_ok() && slug("line-3").is_ok());
        assert!(
            slug("Ops").is_err()
                && slug("3d").is_err()
                && slug("a").is_err()
                && slug("a_b").is_err()
        );
        assert_eq!(quota("q", " ").unwrap(), None);
        assert_eq!(quota("q", "10").unwrap(), Some(10));
        assert!(
            quota("q", "-1").is_err()
                && quota("q", "1.5").is_err()
                && quota("q", "2000000").is_err()
        );
    }

    #[test]
    fn names_and_tags() {
        assert!(DisplayName::parse("name", "Press line 1").is_ok());
        assert!(DisplayName::parse("name", "  ").is_err());
        assert!(DisplayName::parse("name", &"x".repeat(65)).is_err());
        let tags = parse_tags("Ningbo", " Stamping ", "Press 1", "").unwrap();
        assert_eq!(tags.area, "Stamping");
        let errs = parse_tags(&"p".repeat(49), "", "", "a\u{7}").unwrap_err();
        assert_eq!(
            errs.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["plant", "cell"]
        );
    }
}
