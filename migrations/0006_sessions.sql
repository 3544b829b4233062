-- Sessions signed in before this instant are over: a password change or
-- reset moves it to now, ending the user's other sessions.
ALTER TABLE users ADD COLUMN sessions_from_ms INTEGER NOT NULL DEFAULT 0;
