-- Local accounts, team workspaces with roles and quotas, sign-in attempts,
-- and the append-only, hash-chained audit log.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- A team's resource pool. `slug` is what domains carry in their libvirt
-- metadata, so it never changes; `name` is for people and may.
CREATE TABLE workspaces (
    id               INTEGER PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    quota_vcpus      INTEGER,
    quota_memory_mib INTEGER,
    quota_disk_gib   INTEGER,
    quota_domains    INTEGER,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE workspace_members (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'operator', 'viewer')),
    PRIMARY KEY (workspace_id, user_id)
) WITHOUT ROWID;
CREATE INDEX workspace_members_user ON workspace_members (user_id);

-- What a workspace may use: hosts, and per host networks and storage pools.
CREATE TABLE workspace_hosts (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    host_id      INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    PRIMARY KEY (workspace_id, host_id)
) WITHOUT ROWID;

CREATE TABLE workspace_resources (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('network', 'pool')),
    name         TEXT NOT NULL,
    PRIMARY KEY (workspace_id, kind, name)
) WITHOUT ROWID;

-- Sign-in attempts, for throttling (5 failures per user or address per 15 min).
CREATE TABLE login_attempts (
    id       INTEGER PRIMARY KEY,
    at_ms    INTEGER NOT NULL,
    username TEXT NOT NULL COLLATE NOCASE,
    address  TEXT NOT NULL,
    ok       INTEGER NOT NULL CHECK (ok IN (0, 1))
);
CREATE INDEX login_attempts_user ON login_attempts (username, at_ms);
CREATE INDEX login_attempts_address ON login_attempts (address, at_ms);

-- The audit log. Each record's `hash` is SHA-256 over its canonical form and
-- the previous record's hash (`prev_hash`), so an edit, deletion or insertion
-- breaks the chain. Appended only; the triggers refuse updates, and deletes
-- unless a retention prune holds the guard (it first appends a checkpoint).
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    source      TEXT NOT NULL,
    workspace   TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    target_name TEXT NOT NULL,
    params      TEXT NOT NULL,
    before      TEXT NOT NULL,
    after       TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    message     TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_at ON audit_log (at);
CREATE INDEX audit_actor ON audit_log (actor, seq);
CREATE INDEX audit_workspace ON audit_log (workspace, seq);
CREATE INDEX audit_action ON audit_log (action, seq);
CREATE INDEX audit_outcome ON audit_log (outcome, seq);
CREATE INDEX audit_target ON audit_log (target_id, seq);

CREATE TABLE audit_prune_guard (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    active INTEGER NOT NULL DEFAULT 0
);
INSERT INTO audit_prune_guard (id, active) VALUES (1, 0);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN (SELECT active FROM audit_prune_guard WHERE id = 1) = 0
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
