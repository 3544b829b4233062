-- Highly available domains: their definition is kept here so that they can
-- be defined and started on another host when theirs is lost and fenced.
-- A copy left on a lost host is a stale copy: when the host comes back it
-- is undefined if it is off (its storage is kept), or shown as a conflict
-- if it runs.
CREATE TABLE ha_domains (
    uuid       TEXT    PRIMARY KEY,
    host_id    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    workspace  TEXT,
    xml        TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE TABLE stale_copies (
    uuid    TEXT    NOT NULL,
    host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    name    TEXT    NOT NULL,
    since   TEXT    NOT NULL,
    state   TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'removed', 'conflict')),
    PRIMARY KEY (uuid, host_id)
);
