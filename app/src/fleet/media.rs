//! Boot media from the create form. A member boots from an ISO *volume*
//! (pool and volume, resolved to a path by libvirt on the chosen host, in a
//! pool the workspace may use); a file path, and kernel + initrd boot, come
//! only from an administrator: a template, or the administrator's own form.

use crate::domxml::build::Boot;
use crate::error::FieldError;
use crate::i18n::Key;
use crate::model::forms::CreateForm;
use crate::validate::resources::resource_name;

/// Who chose the boot media.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chooser {
    /// A workspace member: volumes only.
    Member,
    /// An administrator, or an administrator's template: paths too.
    Administrator,
}

/// An ISO volume to boot from, as the form named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IsoVolume {
    pub pool: String,
    pub volume: String,
}

impl IsoVolume {
    /// The form's value for it, `pool/volume`.
    pub fn value(&self) -> String {
        format!("{}/{}", self.pool, self.volume)
    }
}

/// The boot the form asks for: the boot itself (an ISO volume is resolved
/// later, on the host) and the ISO volume, if any.
pub fn boot(f: &CreateForm, by: Chooser) -> Result<(Boot, Option<IsoVolume>), FieldError> {
    let admin = by == Chooser::Administrator;
    match f.boot.as_str() {
        "iso" => {
            let iso = f.iso.trim();
            if admin && iso.starts_with('/') {
                return Ok((Boot::Iso(iso.to_string()), None));
            }
            let refused = || FieldError::new("iso", Key::ErrIsoVolume);
            let (pool, volume) = iso.split_once('/').ok_or_else(refused)?;
            let pool = resource_name("iso", pool).map_err(|_| refused())?;
            let volume = resource_name("iso", volume).map_err(|_| refused())?;
            Ok((Boot::Disk, Some(IsoVolume { pool, volume })))
        }
        "kernel" if !admin => Err(FieldError::new("kernel", Key::ErrKernelTemplateOnly)),
        "kernel" if !f.kernel.trim().is_empty() => Ok((
            Boot::Kernel {
                kernel: f.kernel.trim().to_string(),
                initrd: f.initrd.trim().to_string(),
                cmdline: f.cmdline.trim().to_string(),
            },
            None,
        )),
        _ => Ok((Boot::Disk, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(boot: &str, iso: &str, kernel: &str) -> CreateForm {
        CreateForm {
            boot: boot.into(),
            iso: iso.into(),
            kernel: kernel.into(),
            initrd: "/root/.ssh/id_rsa".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_member_boots_from_a_volume_and_never_from_a_path() {
        let (boot, iso) = boot(&form("iso", "iso/debian-12.iso", ""), Chooser::Member).unwrap();
        assert_eq!(boot, Boot::Disk);
        assert_eq!(iso.unwrap().value(), "iso/debian-12.iso");
        for hostile in [
            "/etc/shadow",
            "../../../etc/passwd",
            "iso/../../etc/passwd",
            "iso/a/b",
            "/iso/x.iso",
            "iso/",
            "iso",
            "-o/x",
        ] {
            let err = super::boot(&form("iso", hostile, ""), Chooser::Member).unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.key),
                ("iso", Key::ErrIsoVolume),
                "{hostile}"
            );
        }
        let err = super::boot(&form("kernel", "", "/etc/shadow"), Chooser::Member).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.key),
            ("kernel", Key::ErrKernelTemplateOnly)
        );
    }

    #[test]
    fn an_administrator_may_name_paths() {
        let by = Chooser::Administrator;
        let (boot, iso) = boot(&form("iso", "/srv/iso/x.iso", ""), by).unwrap();
        assert_eq!((boot, iso), (Boot::Iso("/srv/iso/x.iso".into()), None));
        let (boot, _) = super::boot(&form("kernel", "", "/srv/vmlinuz"), by).unwrap();
        assert!(matches!(boot, Boot::Kernel { .. }));
    }
}
