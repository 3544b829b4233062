-- Utilization history: one row per series (a domain, host or workspace in
-- a data set) and timestamp. Values are scaled integers so SQLite stores
-- them in 1-4 bytes (see app/src/history/metric.rs for units); NULL means
-- "not reported" and costs nothing. Every table is clustered by
-- (series, t) so a chart reads one contiguous range.

CREATE TABLE history_series (
    id        INTEGER PRIMARY KEY,
    -- 'live' for collected samples; 'trace:<name>' for imported traces,
    -- which are kept apart and labelled as such.
    dataset   TEXT NOT NULL DEFAULT 'live',
    kind      TEXT NOT NULL CHECK (kind IN ('domain', 'host', 'workspace')),
    -- Domain UUID, host id or workspace slug (a trace's entity name).
    key       TEXT NOT NULL,
    label     TEXT NOT NULL DEFAULT '',
    -- Where a domain was last seen, and its workspace then.
    host_id   INTEGER,
    workspace TEXT,
    UNIQUE (dataset, kind, key)
);

-- Raw samples, one per collection round (default every 10 s, kept 24 h).
CREATE TABLE history_raw (
    series       INTEGER NOT NULL,
    t            INTEGER NOT NULL,
    cpu_pct      INTEGER,
    cpu_host_pct INTEGER,
    cpu_used     INTEGER,
    cpu_alloc    INTEGER,
    mem_used     INTEGER,
    mem_alloc    INTEGER,
    rd           INTEGER,
    wr           INTEGER,
    rx           INTEGER,
    tx           INTEGER,
    running      INTEGER,
    PRIMARY KEY (series, t)
) WITHOUT ROWID;

-- 1-minute rollups: n samples, the sum (s_) and maximum (x_) of each metric.
CREATE TABLE history_1m (
    series       INTEGER NOT NULL,
    t            INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    s_cpu_pct      INTEGER,
    s_cpu_host_pct INTEGER,
    s_cpu_used     INTEGER,
    s_cpu_alloc    INTEGER,
    s_mem_used     INTEGER,
    s_mem_alloc    INTEGER,
    s_rd           INTEGER,
    s_wr           INTEGER,
    s_rx           INTEGER,
    s_tx           INTEGER,
    s_running      INTEGER,
    x_cpu_pct      INTEGER,
    x_cpu_host_pct INTEGER,
    x_cpu_used     INTEGER,
    x_cpu_alloc    INTEGER,
    x_mem_used     INTEGER,
    x_mem_alloc    INTEGER,
    x_rd           INTEGER,
    x_wr           INTEGER,
    x_rx           INTEGER,
    x_tx           INTEGER,
    x_running      INTEGER,
    PRIMARY KEY (series, t)
) WITHOUT ROWID;

-- 1-hour rollups: n samples, the sum (s_) and maximum (x_) of each metric.
CREATE TABLE history_1h (
    series       INTEGER NOT NULL,
    t            INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    s_cpu_pct      INTEGER,
    s_cpu_host_pct INTEGER,
    s_cpu_used     INTEGER,
    s_cpu_alloc    INTEGER,
    s_mem_used     INTEGER,
    s_mem_alloc    INTEGER,
    s_rd           INTEGER,
    s_wr           INTEGER,
    s_rx           INTEGER,
    s_tx           INTEGER,
    s_running      INTEGER,
    x_cpu_pct      INTEGER,
    x_cpu_host_pct INTEGER,
    x_cpu_used     INTEGER,
    x_cpu_alloc    INTEGER,
    x_mem_used     INTEGER,
    x_mem_alloc    INTEGER,
    x_rd           INTEGER,
    x_wr           INTEGER,
    x_rx           INTEGER,
    x_tx           INTEGER,
    x_running      INTEGER,
    PRIMARY KEY (series, t)
) WITHOUT ROWID;

-- 1-day rollups: n samples, the sum (s_) and maximum (x_) of each metric.
CREATE TABLE history_1d (
    series       INTEGER NOT NULL,
    t            INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    s_cpu_pct      INTEGER,
    s_cpu_host_pct INTEGER,
    s_cpu_used     INTEGER,
    s_cpu_alloc    INTEGER,
    s_mem_used     INTEGER,
    s_mem_alloc    INTEGER,
    s_rd           INTEGER,
    s_wr           INTEGER,
    s_rx           INTEGER,
    s_tx           INTEGER,
    s_running      INTEGER,
    x_cpu_pct      INTEGER,
    x_cpu_host_pct INTEGER,
    x_cpu_used     INTEGER,
    x_cpu_alloc    INTEGER,
    x_mem_used     INTEGER,
    x_mem_alloc    INTEGER,
    x_rd           INTEGER,
    x_wr           INTEGER,
    x_rx           INTEGER,
    x_tx           INTEGER,
    x_running      INTEGER,
    PRIMARY KEY (series, t)
) WITHOUT ROWID;

-- Collector bookkeeping: the end of the last minute folded into the
-- rollups, so a restart rebuilds only the open minute from raw samples.
CREATE TABLE history_meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
