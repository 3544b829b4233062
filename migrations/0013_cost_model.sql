-- The cost model consolidation savings are priced with: the plant's power
-- usage effectiveness, electricity tariff and what a server costs a year
-- (hardware amortisation, licences, maintenance, rack space), and each
-- host's idle and peak watts (hosts without a row use the defaults in
-- app/src/consolidation/cost.rs). Edited by administrators, audited.
CREATE TABLE cost_model (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    pue           REAL    NOT NULL,
    currency      TEXT    NOT NULL,
    tariff        REAL    NOT NULL,
    server_yearly REAL    NOT NULL
);
INSERT INTO cost_model (id, pue, currency, tariff, server_yearly)
    VALUES (1, 1.6, 'EUR', 0.20, 1200.0);
CREATE TABLE host_power (
    host_id INTEGER PRIMARY KEY REFERENCES hosts(id) ON DELETE CASCADE,
    idle_w  REAL    NOT NULL,
    peak_w  REAL    NOT NULL
);
