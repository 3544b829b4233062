-- Long actions as jobs: one row per job, kept after it ends. `figures` is
-- the JSON of the numbers its progress comes from (for a migration:
-- libvirt's job statistics). A job still 'queued' or 'running' when the
-- server starts was cut off by a stop: it is marked 'interrupted' and its
-- real end is reconciled from libvirt (`reconciled` = 1 once done).
CREATE TABLE jobs (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL,
    host_id        INTEGER NOT NULL,
    target_host_id INTEGER,
    domain_uuid    TEXT    NOT NULL,
    domain_name    TEXT    NOT NULL,
    workspace      TEXT,
    actor          TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN
        ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
    mode           TEXT    NOT NULL DEFAULT '',
    phase          TEXT    NOT NULL DEFAULT '',
    percent        INTEGER NOT NULL DEFAULT 0,
    figures        TEXT    NOT NULL DEFAULT '{}',
    message        TEXT    NOT NULL DEFAULT '',
    reconciled     INTEGER NOT NULL DEFAULT 0,
    started_at     TEXT    NOT NULL,
    ended_at       TEXT
);
CREATE INDEX jobs_state ON jobs (state, id);
CREATE INDEX jobs_domain ON jobs (domain_uuid, id);
CREATE INDEX jobs_workspace ON jobs (workspace, id);
