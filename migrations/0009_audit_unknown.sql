-- A change whose host does not answer within its deadline is recorded as
-- 'unknown'; a later record gives its real outcome once the host answers.
-- The table is rebuilt as in 0007 with the wider CHECK.
CREATE TABLE audit_log_next (
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
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed', 'started', 'unknown')),
    message     TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
INSERT INTO audit_log_next SELECT * FROM audit_log;
DROP TRIGGER audit_log_no_update;
DROP TRIGGER audit_log_no_delete;
DROP TABLE audit_log;
ALTER TABLE audit_log_next RENAME TO audit_log;

CREATE INDEX audit_at ON audit_log (at);
CREATE INDEX audit_actor ON audit_log (actor, seq);
CREATE INDEX audit_workspace ON audit_log (workspace, seq);
CREATE INDEX audit_action ON audit_log (action, seq);
CREATE INDEX audit_outcome ON audit_log (outcome, seq);
CREATE INDEX audit_target ON audit_log (target_id, seq);
CREATE INDEX audit_target_name ON audit_log (target_name, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN (SELECT active FROM audit_prune_guard WHERE id = 1) = 0
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
