-- Affinity rules (pin to hosts, keep apart, keep together; must or should)
-- over domains by UUID, and a host's maintenance mode with what its drain
-- moved (to move back) and what it could not move (with why).
CREATE TABLE affinity_rules (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('pin', 'apart', 'together')),
    must       INTEGER NOT NULL,
    workspace  TEXT    NOT NULL DEFAULT '',
    created_by TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE TABLE affinity_domains (
    rule_id     INTEGER NOT NULL REFERENCES affinity_rules(id) ON DELETE CASCADE,
    domain_uuid TEXT    NOT NULL,
    PRIMARY KEY (rule_id, domain_uuid)
);
CREATE TABLE affinity_hosts (
    rule_id INTEGER NOT NULL REFERENCES affinity_rules(id) ON DELETE CASCADE,
    host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, host_id)
);

ALTER TABLE hosts ADD COLUMN maintenance TEXT NOT NULL DEFAULT 'off'
    CHECK (maintenance IN ('off', 'entering', 'on'));
CREATE TABLE maintenance_moves (
    host_id        INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    domain_uuid    TEXT    NOT NULL,
    domain_name    TEXT    NOT NULL,
    target_host_id INTEGER NOT NULL,
    PRIMARY KEY (host_id, domain_uuid)
);
CREATE TABLE maintenance_blockers (
    host_id     INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    domain_uuid TEXT    NOT NULL,
    domain_name TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (host_id, domain_uuid)
);
