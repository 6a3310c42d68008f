-- only on sqlite
-- A notification's JSON never changes but for "read", so Notifier writes the rest once, as
-- it inserts the row: `rendered` holds the members after "id" (type, message, data,
-- createdAt) as JSON text, and a feed page splices it instead of escaping, validating and
-- formatting the same text again on every read. The CHECK keeps out anything but JSON
-- members that begin with "type" (so never empty: the page puts a comma before it). NULL (rows written before this) sends a page the old way (notify/feed.cpp).
ALTER TABLE notifications ADD COLUMN rendered TEXT
  CHECK (rendered IS NULL OR (rendered LIKE '"type":%' AND json_valid('{' || rendered || '}')));
-- A feed page reads one user's newest notifications and counts the unread ones. SQLite
-- answers both from an index alone only if every column they read is in it: with
-- notifications_user it sought each row in the table, where one user's rows lie far apart
-- (a fan-out writes one row for every member), so a page of 20 read some 20 scattered
-- pages; and it checked is_read in the table for every entry of notifications_unread.
-- notifications_feed holds what a page reads in (user_id, id) order, so a page is one or
-- two adjacent leaves; notifications_unread carries is_read so the count stays in it.
CREATE INDEX notifications_feed ON notifications(user_id, id, is_read, rendered);
DROP INDEX notifications_user;
DROP INDEX notifications_unread;
CREATE INDEX notifications_unread ON notifications(user_id, is_read, id) WHERE is_read = 0;
