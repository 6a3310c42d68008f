-- only on sqlite
-- A notification's JSON is written from its columns through its one description
-- (notify/resources.h), so `rendered` (003), API-shaped text that a change of the shape
-- would have left stale, goes. A feed page reads the columns instead, and SQLite still
-- answers it from notifications_feed alone: the index now carries them in place of the
-- text. The PostgreSQL twin is the file of the same version.
DROP INDEX notifications_feed;
ALTER TABLE notifications DROP COLUMN rendered;
CREATE INDEX notifications_feed ON notifications(user_id, id, is_read, type, message, data, created_at);
