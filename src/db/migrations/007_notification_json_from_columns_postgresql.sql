-- only on postgresql
-- 007 on PostgreSQL: notifications.rendered (004) goes; the JSON of a notification is
-- written from its columns (see the SQLite twin of the same version).
ALTER TABLE notifications DROP COLUMN rendered;
