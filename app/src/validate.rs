//! Types that validate on construction: once one exists, it is valid.

use crate::error::FieldError;
use crate::i18n::Key;
use crate::model::PlantTags;

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
