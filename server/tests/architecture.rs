//! The load-bearing claims of the README's architecture section, checked
//! mechanically over the sources so that a new feature cannot quietly break
//! them: libvirt (`virt`, `virt_sys`, FFI `unsafe`) is reached only through
//! `app/src/gateway/`, SQL is written only in `app/src/store/`, and every
//! server function goes through the guard.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("server/ sits in the workspace")
        .to_path_buf()
}

/// Every `.rs` file under the given roots, as (path relative to the
/// workspace, text).
fn sources(roots: &[&str]) -> Vec<(String, String)> {
    let base = workspace();
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = roots.iter().map(|r| base.join(r)).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("source dir readable") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source readable");
                let rel = path.strip_prefix(&base).unwrap().display().to_string();
                out.push((rel, text));
            }
        }
    }
    assert!(!out.is_empty(), "no sources found under {roots:?}");
    out
}

/// Lines of code (comments dropped) that mention any of `needles`.
fn offenders(files: &[(String, String)], needles: &[&str], allowed: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in files {
        if path.starts_with(allowed) || path == SELF {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if needles.iter().any(|needle| mentions(code, needle)) {
                found.push(format!("{path}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    found
}

/// `needle` appears as a whole path segment or keyword, not inside a longer
/// identifier (`virt::` but not `convirt::`, `unsafe` but not `unsafe_x`).
fn mentions(code: &str, needle: &str) -> bool {
    code.match_indices(needle).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + needle.len()..].chars().next();
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        let starts_inside = before.is_some_and(ident);
        let runs_on = needle.ends_with(char::is_alphanumeric) && after.is_some_and(ident);
        !starts_inside && !runs_on
    })
}

/// This checker names what it looks for; it is not itself a use.
const SELF: &str = "server/tests/architecture.rs";

const ROOTS: &[&str] = &[
    "app/src",
    "app/tests",
    "server/src",
    "server/tests",
    "frontend/src",
];

#[test]
fn libvirt_is_reached_only_through_the_gateway() {
    let files = sources(ROOTS);
    let found = offenders(
        &files,
        &["virt::", "virt_sys", "use virt"],
        "app/src/gateway/",
    );
    assert!(
        found.is_empty(),
        "libvirt used outside app/src/gateway/ (add a typed Gateway method instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn unsafe_code_lives_only_in_the_gateway() {
    let files = sources(ROOTS);
    let found = offenders(&files, &["unsafe"], "app/src/gateway/");
    assert!(
        found.is_empty(),
        "unsafe outside app/src/gateway/:\n{}",
        found.join("\n")
    );
}

/// What writes SQL: queries and query builders.
const SQL: &[&str] = &["sqlx::query", "query_as(", "query_scalar(", "QueryBuilder"];

/// Tests (which tamper with tables on purpose) and benchmarks (which time
/// plain statements as baselines) may write SQL; the product may not.
fn is_test_or_bench(path: &str) -> bool {
    path.contains("/tests/") || path.ends_with("tests.rs") || path.starts_with("server/src/bin/")
}

/// A file's product code: what comes before its `#[cfg(test)]` module.
fn without_tests((path, text): (String, String)) -> (String, String) {
    let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
    (path, code)
}

#[test]
fn sql_is_written_only_in_the_store() {
    let files: Vec<_> = sources(&["app/src", "server/src"])
        .into_iter()
        .filter(|(path, _)| !is_test_or_bench(path))
        .map(without_tests)
        .collect();
    let found = offenders(&files, SQL, "app/src/store");
    assert!(
        found.is_empty(),
        "SQL outside app/src/store/ (add a function to the table's store module):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_sql_check_sees_a_query_outside_the_store() {
    let files: Vec<_> = [
        (
            "app/src/api/x.rs",
            "let n = sqlx::query_scalar(\"SELECT 1\");\n#[cfg(test)]\nmod tests { sqlx::query(\"x\"); }",
        ),
        ("app/src/store/x.rs", "sqlx::query(\"SELECT 1\")"),
    ]
    .into_iter()
    .map(|(p, t)| without_tests((p.to_string(), t.to_string())))
    .collect();
    assert_eq!(
        offenders(&files, SQL, "app/src/store"),
        vec!["app/src/api/x.rs:1: let n = sqlx::query_scalar(\"SELECT 1\");".to_string()]
    );
}

#[test]
fn the_checker_sees_what_it_looks_for() {
    // A check that cannot fail is no check: the matcher must flag a use and
    // pass the look-alikes.
    let files = vec![
        (
            "app/src/api/x.rs".to_string(),
            "use virt::domain::Domain;\nlet convirt = 1; // virt::x".to_string(),
        ),
        (
            "app/src/gateway/ops/x.rs".to_string(),
            "use virt::connect::Connect;".to_string(),
        ),
    ];
    let found = offenders(&files, &["virt::", "use virt"], "app/src/gateway/");
    assert_eq!(
        found,
        vec!["app/src/api/x.rs:1: use virt::domain::Domain;".to_string()]
    );
}

/// Server functions that run before a caller is known: they are how one
/// becomes known.
const UNGUARDED: &[&str] = &["whoami", "login"];

/// (path, name, code) of every `#[server]` function: its code runs from the
/// `fn` line to the closing brace in column 0, comments dropped.
fn server_functions(files: &[(String, String)]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (path, text) in files {
        let lines: Vec<&str> = text.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            // `#[server]` on its own line; `#[server(default)] field: T` is
            // an argument's attribute.
            let attr = line.trim();
            if !(attr.starts_with("#[server") && attr.ends_with(']')) {
                continue;
            }
            let rest = &lines[at + 1..];
            let Some(start) = rest.iter().position(|l| l.contains("async fn ")) else {
                continue;
            };
            let head = rest[start];
            let name = head.split("async fn ").nth(1).unwrap_or("");
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let code: Vec<&str> = rest[start..]
                .iter()
                .take_while(|l| **l != "}")
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect();
            out.push((path.clone(), name, code.join("\n")));
        }
    }
    out
}

/// Server functions whose code does not begin an operation with the guard.
fn unguarded(functions: &[(String, String, String)]) -> Vec<String> {
    functions
        .iter()
        .filter(|(_, name, code)| {
            !UNGUARDED.contains(&name.as_str()) && !code.contains("Op::begin(")
        })
        .map(|(path, name, _)| format!("{path}: {name}"))
        .collect()
}

#[test]
fn every_server_function_goes_through_the_guard() {
    let functions = server_functions(&sources(&["app/src"]));
    // The count keeps the scan honest: it must find the functions it checks.
    assert!(
        functions.len() >= 50,
        "found only {} server functions",
        functions.len()
    );
    let found = unguarded(&functions);
    assert!(
        found.is_empty(),
        "server functions that do not call Op::begin (authenticate, policy, audit):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_guard_check_sees_an_unguarded_function() {
    let source = "#[server]\npub async fn open() -> Result<(), AppError> {\n    // Op::begin(\n    Ok(())\n}\n\
                  #[server]\npub async fn closed(\n    #[server(default)] x: String,\n) -> Result<(), AppError> {\n    let op = Op::begin(a, s).await?;\n}\n\
                  #[server]\npub async fn whoami() -> Result<(), AppError> {\n    Ok(())\n}\n";
    let functions = server_functions(&[("app/src/api/x.rs".into(), source.into())]);
    assert_eq!(functions.len(), 3);
    assert_eq!(
        unguarded(&functions),
        vec!["app/src/api/x.rs: open".to_string()]
    );
}

/// What a server function may use of the store and the gateway directly:
/// reads that name the guard's subject or the audit's "before" (a
/// workspace's slug or row, the inventory, a volume's key). Anything else
/// goes through a service (`app::service`, `app::fleet`).
const DIRECT: &[&str] = &[
    "gateway.read",
    "store::workspaces::slug_of",
    "store::workspaces::by_id",
    "store::volumes::VolumeKey",
];

/// Uses of `gateway.` and `store::` in server-function files beyond
/// [`DIRECT`] (the sign-in flow, `login`, is the one allowed exception).
fn around_the_services(files: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in files {
        // Chains split over lines read as one.
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or("").trim())
            .collect::<Vec<_>>()
            .join("");
        for needle in ["gateway.", "store::"] {
            for (at, _) in code.match_indices(needle) {
                let used: String = code[at..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':' || *c == '.')
                    .collect();
                let used = used.trim_end_matches([':', '.']);
                let login = path.ends_with("api/auth.rs") && used == "store::users";
                if !login && !DIRECT.contains(&used) {
                    found.push(format!("{path}: {used}"));
                }
            }
        }
    }
    found
}

#[test]
fn server_functions_reach_gateway_and_store_through_services() {
    let found = around_the_services(&sources(&["app/src/api"]));
    assert!(
        found.is_empty(),
        "server functions calling the gateway or store directly:\n{}",
        found.join("\n")
    );
    // It sees one.
    let sneaky = vec![(
        "app/src/api/x.rs".to_string(),
        "let v = op.state\n    .gateway\n    .create_volume(h, p, s);".to_string(),
    )];
    assert_eq!(around_the_services(&sneaky).len(), 1);
}
