-- Registered libvirt hosts. Demo-plant hosts are flagged so a real
-- registration can switch the demo off without losing them.
CREATE TABLE hosts (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    uri        TEXT NOT NULL UNIQUE,
    plant      TEXT NOT NULL DEFAULT '',
    area       TEXT NOT NULL DEFAULT '',
    line       TEXT NOT NULL DEFAULT '',
    cell       TEXT NOT NULL DEFAULT '',
    demo       INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
