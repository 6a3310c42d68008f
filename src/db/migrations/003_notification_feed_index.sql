-- only on sqlite
-- A feed page reads one user's newest notifications and counts the unread ones. SQLite
-- can only answer both from an index if every column they read is in it: with
-- notifications_user it sought each row in the table, where one user's rows lie far apart
-- (a fan-out writes one row for every member), so a page of 20 read some 20 scattered
-- pages; and it checked is_read in the table for every entry of notifications_unread.
-- notifications_feed holds the whole row in (user_id, id) order, so a page is one or two
-- adjacent leaves; notifications_unread carries is_read so the count stays in the index.
-- PostgreSQL proves the partial index's predicate itself and keeps 001's indexes.
CREATE INDEX notifications_feed ON notifications(user_id, id, type, message, data, created_at, is_read);
DROP INDEX notifications_user;
DROP INDEX notifications_unread;
CREATE INDEX notifications_unread ON notifications(user_id, is_read, id) WHERE is_read = 0;
