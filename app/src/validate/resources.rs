//! Validated inputs for storage pools, volumes and networks: names, paths,
//! sizes, IPv4 ranges, bridges and VLAN tags. Each error names its field.

use std::net::Ipv4Addr;

use crate::error::FieldError;
use crate::i18n::Key;

/// A pool, volume or network name: 1–63 of `A-Za-z0-9._-`, starting with a
/// letter or digit (so never `.` or `..`, never an option-like `-x`).
pub fn resource_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    let ok = (1..=63).contains(&name.len())
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(name.to_string())
    } else {
        Err(FieldError::new(field, Key::ErrResourceName))
    }
}

/// System directories no pool may be in: deleting a "volume" there would
/// delete a file the host needs.
const SYSTEM_DIRS: [&str; 13] = [
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/proc", "/root", "/run", "/sbin",
    "/sys", "/usr",
];

/// A directory for a pool: absolute, at most 255 of `A-Za-z0-9._/-`, no
/// `..`, outside the system directories. Written the one way (`//etc` and
/// `/./etc` are `/etc`) before the system-directory check, so no spelling
/// passes it. On this machine [`resolved_pool_path`] also resolves links.
pub fn pool_path(raw: &str) -> Result<String, FieldError> {
    let raw = raw.trim();
    let parts: Vec<&str> = raw
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let path = format!("/{}", parts.join("/"));
    let ok = raw.starts_with('/')
        && path.len() <= 255
        && !parts.is_empty()
        && !parts.contains(&"..")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/-".contains(&b));
    if !ok {
        return Err(FieldError::new("path", Key::ErrPoolPath));
    }
    if is_system_path(&path) {
        return Err(FieldError::new("path", Key::ErrPoolPathSystem));
    }
    Ok(path)
}

/// A pool directory on this machine with its symlinks resolved (those of
/// its longest existing ancestor; the rest is made by the pool's build), so
/// a link into a system directory is refused like the directory itself.
#[cfg(feature = "ssr")]
pub fn resolved_pool_path(path: &str) -> Result<String, FieldError> {
    let mut existing = std::path::PathBuf::from(path);
    let mut rest = Vec::new();
    let resolved = loop {
        match std::fs::canonicalize(&existing) {
            Ok(real) => break real,
            Err(_) => match (existing.file_name(), existing.parent()) {
                (Some(name), Some(parent)) => {
                    rest.push(name.to_os_string());
                    existing = parent.to_path_buf();
                }
                _ => return Err(FieldError::new("path", Key::ErrPoolPath)),
            },
        }
    };
    let full = rest.iter().rev().fold(resolved, |p, part| p.join(part));
    let full = full
        .to_str()
        .ok_or(FieldError::new("path", Key::ErrPoolPath))?;
    // The resolved spelling passes the same rules as a typed one.
    pool_path(full)
}

/// Whether an absolute, normalised `path` is, or is in, a system directory.
fn is_system_path(path: &str) -> bool {
    SYSTEM_DIRS
        .iter()
        .any(|d| path == *d || path.starts_with(&format!("{d}/")))
}

/// A volume size in GiB: a whole number 1–4096.
pub fn volume_gib(field: &str, raw: &str) -> Result<u64, FieldError> {
    match raw.trim().parse::<u64>() {
        Ok(n) if (1..=4096).contains(&n) => Ok(n),
        _ => Err(FieldError::new(field, Key::ErrVolumeSize)),
    }
}

/// A volume's disk format.
pub fn volume_format(raw: &str) -> Result<&'static str, FieldError> {
    match raw.trim() {
        "qcow2" => Ok("qcow2"),
        "raw" => Ok("raw"),
        _ => Err(FieldError::new("format", Key::ErrVolumeFormat)),
    }
}

/// An IPv4 network given as the gateway address and prefix, `10.30.0.1/24`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Net {
    pub address: Ipv4Addr,
    pub prefix: u8,
}

impl Ipv4Net {
    /// Prefixes 8–30; the address must be a host of the network (not the
    /// network or broadcast address).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let err = || FieldError::new("cidr", Key::ErrCidr);
        let (addr, prefix) = raw.trim().split_once('/').ok_or_else(err)?;
        let address: Ipv4Addr = addr.parse().map_err(|_| err())?;
        let prefix: u8 = prefix.parse().map_err(|_| err())?;
        if !(8..=30).contains(&prefix) {
            return Err(err());
        }
        let net = Ipv4Net { address, prefix };
        if !net.is_host(address) {
            return Err(err());
        }
        Ok(net)
    }

    fn mask(self) -> u32 {
        u32::MAX << (32 - u32::from(self.prefix))
    }

    pub fn netmask(self) -> Ipv4Addr {
        Ipv4Addr::from(self.mask())
    }

    /// Whether `ip` is a usable host address inside this network.
    pub fn is_host(self, ip: Ipv4Addr) -> bool {
        let (ip, base) = (u32::from(ip), u32::from(self.address) & self.mask());
        ip & self.mask() == base && ip != base && ip != base | !self.mask()
    }
}

/// A DHCP range inside `net`, or none when both ends are empty.
pub fn dhcp_range(
    net: Ipv4Net,
    start: &str,
    end: &str,
) -> Result<Option<(Ipv4Addr, Ipv4Addr)>, FieldError> {
    let (start, end) = (start.trim(), end.trim());
    if start.is_empty() && end.is_empty() {
        return Ok(None);
    }
    let host = |field: &str, raw: &str| {
        raw.parse::<Ipv4Addr>()
            .ok()
            .filter(|ip| net.is_host(*ip) && *ip != net.address)
            .ok_or_else(|| FieldError::new(field, Key::ErrDhcpRange))
    };
    let (a, b) = (host("dhcp_start", start)?, host("dhcp_end", end)?);
    if a > b {
        return Err(FieldError::new("dhcp_end", Key::ErrDhcpRange));
    }
    Ok(Some((a, b)))
}

/// An existing host bridge: 1–15 of `A-Za-z0-9_.-` (the kernel's limit).
pub fn bridge_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    let ok = (1..=15).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    if ok {
        Ok(name.to_string())
    } else {
        Err(FieldError::new("bridge", Key::ErrBridgeName))
    }
}

/// A VLAN tag 1–4094, or none when empty.
pub fn vlan_tag(raw: &str) -> Result<Option<u16>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<u16>() {
        Ok(n) if (1..=4094).contains(&n) => Ok(Some(n)),
        _ => Err(FieldError::new("vlan", Key::ErrVlan)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(resource_name("name", " iso-2.a_b ").unwrap(), "iso-2.a_b");
        for bad in ["", ".", "..", "-x", "a b", "a/b", "<x>", &"a".repeat(64)] {
            let err = resource_name("name", bad).expect_err(bad);
            assert_eq!(
                (err.field.as_str(), err.key),
                ("name", Key::ErrResourceName)
            );
        }
    }

    #[test]
    fn paths() {
        assert_eq!(pool_path("/srv/pools/iso/").unwrap(), "/srv/pools/iso");
        for bad in ["", "/", "rel/path", "/a/../etc", "/a b", "/a'b", "/a<b"] {
            assert_eq!(pool_path(bad).expect_err(bad).key, Key::ErrPoolPath);
        }
        for system in [
            "/etc",
            "/etc/libvirt",
            "/usr/lib/x",
            "/boot/",
            "//etc",
            "/./etc",
            "/.//usr/./lib",
        ] {
            assert_eq!(
                pool_path(system).expect_err(system).key,
                Key::ErrPoolPathSystem
            );
        }
        assert!(pool_path("/etcetera/pool").is_ok() && pool_path("/var/lib/libvirt/iso").is_ok());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_link_into_a_system_directory_is_refused_once_resolved() {
        let dir = std::env::temp_dir().join(format!("mw-pool-link-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let link = dir.join("images");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink("/etc", &link).unwrap();
        let typed = format!("{}/vms", link.display());
        assert!(pool_path(&typed).is_ok(), "lexically fine: {typed}");
        let err = resolved_pool_path(&typed).unwrap_err();
        assert_eq!(err.key, Key::ErrPoolPathSystem);
        // An ordinary directory resolves to itself, its missing tail kept.
        let plain = format!("{}/new/pool", dir.display());
        let real = std::fs::canonicalize(&dir).unwrap();
        assert_eq!(
            resolved_pool_path(&plain).unwrap(),
            format!("{}/new/pool", real.display())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sizes_and_formats() {
        assert_eq!(volume_gib("gib", "20").unwrap(), 20);
        for bad in ["0", "-1", "1.5", "4097", "x", ""] {
            assert_eq!(volume_gib("gib", bad).expect_err(bad).field, "gib");
        }
        assert_eq!(volume_format("raw").unwrap(), "raw");
        assert_eq!(volume_format("vmdk").unwrap_err().field, "format");
    }

    #[test]
    fn ipv4_networks() {
        let net = Ipv4Net::parse("10.30.0.1/24").unwrap();
        assert_eq!(net.netmask(), Ipv4Addr::new(255, 255, 255, 0));
        assert!(net.is_host(Ipv4Addr::new(10, 30, 0, 254)));
        assert!(!net.is_host(Ipv4Addr::new(10, 30, 0, 255)));
        assert!(!net.is_host(Ipv4Addr::new(10, 30, 1, 5)));
        for bad in [
            "10.30.0.0/24",
            "10.30.0.255/24",
            "10.30.0.1",
            "10.30.0.1/31",
            "10.30.0.1/4",
            "a/24",
            "10.30.0.300/24",
        ] {
            assert_eq!(Ipv4Net::parse(bad).expect_err(bad).field, "cidr");
        }
    }

    #[test]
    fn dhcp_ranges() {
        let net = Ipv4Net::parse("10.30.0.1/24").unwrap();
        assert_eq!(dhcp_range(net, "", "").unwrap(), None);
        let (a, b) = dhcp_range(net, "10.30.0.100", "10.30.0.199")
            .unwrap()
            .unwrap();
        assert!(a < b);
        let cases = [
            ("10.30.1.100", "10.30.0.199", "dhcp_start"),
            ("10.30.0.1", "10.30.0.9", "dhcp_start"),
            ("10.30.0.100", "10.30.0.255", "dhcp_end"),
            ("10.30.0.100", "10.30.0.50", "dhcp_end"),
            ("10.30.0.100", "", "dhcp_end"),
        ];
        for (s, e, field) in cases {
            assert_eq!(dhcp_range(net, s, e).expect_err(s).field, field, "{s}-{e}");
        }
    }

    #[test]
    fn bridges_and_vlans() {
        assert_eq!(bridge_name("ovs-paint3").unwrap(), "ovs-paint3");
        assert!(bridge_name("").is_err() && bridge_name("a-very-long-bridge").is_err());
        assert!(bridge_name("br 0").is_err() && bridge_name("br'0").is_err());
        assert_eq!(vlan_tag(" ").unwrap(), None);
        assert_eq!(vlan_tag("310").unwrap(), Some(310));
        for bad in ["0", "4095", "x", "-3"] {
            assert_eq!(vlan_tag(bad).expect_err(bad).field, "vlan");
        }
    }
}
