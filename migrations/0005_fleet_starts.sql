-- Whether a reserved create starts its domain: only those take room on
-- their host while in flight (placement counts them as running).
ALTER TABLE quota_reservations ADD COLUMN starts INTEGER NOT NULL DEFAULT 1;
