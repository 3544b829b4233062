//! The short-lived helper containers that make and remove a container's own
//! root on its host, through libvirt alone (so a remote host needs nothing
//! but its daemon). A helper runs the host's own shell and tools, from the
//! host's `/` mounted read-only, as the host's root; it sees only the pool
//! directory (at `/tmp`) and, when copying, the administrator's root
//! filesystem (read-only, at `/var/tmp`). Its script is fixed; names reach
//! it as arguments, never as script text.

use super::escape;

/// Host ids a container's ids start at: its root is this id on the host.
pub const ID_BASE: u32 = 100_000;
/// How many ids a container has (0–65535 inside).
pub const ID_COUNT: u32 = 65_536;

/// Copies the root filesystem into the pool's directory `$1` and shifts
/// every owner by `$2` (set-id bits kept), then marks success with a new
/// file `$1.$3.<KiB>.ok` (`$3`: a random token, so no one can plant the
/// marker, and an existing file is never overwritten; `<KiB>`: the copy's
/// size, for the disk quota). Files owned by root (most of them) are shifted in one
/// batch; the others, and set-id files whose bits chown would clear, one by
/// one.
pub const COPY_SCRIPT: &str = r#"set -e
dst="/tmp/$1"; base="$2"
cp -a /var/tmp/. "$dst/"
find "$dst" \( ! -uid 0 -o ! -gid 0 -o -perm /6000 \) -exec sh -c '
  b="$1"; shift
  for f; do
    set -- $(stat -c "%u %g %a" "$f")
    chown -h "$(($1 + b)):$(($2 + b))" "$f"
    [ -L "$f" ] || chmod "$3" "$f"
  done' sh "$base" {} +
find "$dst" -uid 0 -gid 0 -exec chown -h "$base:$base" {} +
chmod 755 "$dst"
kib=$(du -sk "$dst" | cut -f1)
set -C
: > "/tmp/$1.$3.$kib.ok"
"#;

/// Removes the pool directory entry `$1` and all below it (without
/// following links).
pub const REMOVE_SCRIPT: &str = r#"rm -rf -- "/tmp/$1""#;

/// A directory the helper sees.
pub struct Mount<'a> {
    pub source: &'a str,
    pub target: &'a str,
    pub readonly: bool,
}

/// The transient helper domain `name` running `script` with `args` over
/// the host's read-only `/` and `mounts`; no network of its own.
pub fn helper_xml(name: &str, script: &str, args: &[&str], mounts: &[Mount]) -> String {
    let mut x = format!(
        "<domain type='lxc'><name>{}</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>",
        escape(name)
    );
    x += "<os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg>";
    x += &format!("<initarg>{}</initarg><initarg>sh</initarg>", escape(script));
    for a in args {
        x += &format!("<initarg>{}</initarg>", escape(a));
    }
    x += "</os><features><privnet/></features><devices>";
    x += "<filesystem type='mount'><source dir='/'/><target dir='/'/><readonly/></filesystem>";
    for m in mounts {
        x += &format!(
            "<filesystem type='mount'><source dir='{}'/><target dir='{}'/>{}</filesystem>",
            escape(m.source),
            escape(m.target),
            if m.readonly { "<readonly/>" } else { "" }
        );
    }
    x + "<console type='pty'/></devices></domain>"
}

/// The `<idmap>` that makes root in a container the unprivileged host id
/// [`ID_BASE`].
pub fn idmap() -> String {
    format!(
        "<idmap><uid start='0' target='{ID_BASE}' count='{ID_COUNT}'/><gid start='0' target='{ID_BASE}' count='{ID_COUNT}'/></idmap>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_reach_the_script_as_arguments_only() {
        let hostile = "x'; rm -rf / #<evil/>";
        let xml = helper_xml(
            "mw-helper-1",
            REMOVE_SCRIPT,
            &[hostile],
            &[Mount {
                source: "/pool",
                target: "/tmp",
                readonly: false,
            }],
        );
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let args: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("initarg"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(args, ["-c", REMOVE_SCRIPT, "sh", hostile]);
        let readonly_root = doc.descendants().any(|n| {
            n.has_tag_name("filesystem")
                && n.children()
                    .any(|c| c.attribute("dir") == Some("/") && c.has_tag_name("target"))
                && n.children().any(|c| c.has_tag_name("readonly"))
        });
        assert!(readonly_root, "{xml}");
        assert!(doc.descendants().any(|n| n.has_tag_name("privnet")));
    }
}
