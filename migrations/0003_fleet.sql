-- Fleet: quota reservations held while a domain is being created, VM
-- templates and container root filesystems defined by administrators.

-- A reservation exists from the quota check until the new domain is in the
-- inventory (or the create failed); concurrent creates count it.
CREATE TABLE quota_reservations (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    vcpus        INTEGER NOT NULL,
    memory_mib   INTEGER NOT NULL,
    disk_gib     INTEGER NOT NULL,
    domains      INTEGER NOT NULL,
    -- The domain being made; once it shows in the inventory (its define
    -- event may arrive before the create returns) it is not counted twice.
    host_id      INTEGER NOT NULL,
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX quota_reservations_workspace ON quota_reservations (workspace_id);

CREATE TABLE templates (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT '',
    vcpus       INTEGER NOT NULL CHECK (vcpus BETWEEN 1 AND 64),
    memory_mib  INTEGER NOT NULL CHECK (memory_mib BETWEEN 64 AND 1048576),
    disk_gib    INTEGER NOT NULL DEFAULT 0 CHECK (disk_gib BETWEEN 0 AND 4096),
    network     TEXT NOT NULL DEFAULT '',
    -- 'none', 'iso' (boot_iso is a volume path) or 'kernel'.
    boot        TEXT NOT NULL DEFAULT 'none' CHECK (boot IN ('none', 'iso', 'kernel')),
    boot_iso    TEXT NOT NULL DEFAULT '',
    kernel      TEXT NOT NULL DEFAULT '',
    initrd      TEXT NOT NULL DEFAULT '',
    cmdline     TEXT NOT NULL DEFAULT ''
);

CREATE TABLE root_filesystems (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    path TEXT NOT NULL
);

-- Audit searches by target name (a name with few records would otherwise
-- walk the whole log).
CREATE INDEX audit_target_name ON audit_log (target_name, seq);
