/// Runs `virsh -c uri args…`, the lab's independent witness:
/// (succeeded, stdout + stderr). Shared with `app/tests` by `include!`.
pub fn virsh(uri: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new("virsh")
        .arg("-c")
        .arg(uri)
        .args(args)
        .output()
        .expect("virsh runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}
