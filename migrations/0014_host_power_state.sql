-- Hosts a consolidation plan emptied and put in maintenance: 'off' when
-- their power-off program reported success, 'manual' when an operator is
-- to power them off by hand (no program, or it failed). The row goes when
-- the host is powered on or leaves maintenance.
CREATE TABLE host_power_state (
    host_id    INTEGER PRIMARY KEY REFERENCES hosts (id) ON DELETE CASCADE,
    state      TEXT    NOT NULL CHECK (state IN ('off', 'manual')),
    changed_at TEXT    NOT NULL
);
