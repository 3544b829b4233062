-- Volumes that belong to a workspace: made or uploaded by one of its
-- members, or assigned by an administrator. `gib` is the volume's share of
-- the workspace's disk quota (its capacity, rounded up to whole GiB). A
-- volume without a row belongs to the workspace of the domains that use it,
-- or to the plant (administrators only).
CREATE TABLE volume_owners (
    host_id      INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    pool         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    gib          INTEGER NOT NULL,
    PRIMARY KEY (host_id, pool, name)
);
CREATE INDEX volume_owners_workspace ON volume_owners (workspace_id);
