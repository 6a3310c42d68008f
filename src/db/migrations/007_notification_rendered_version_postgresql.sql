-- only on postgresql
-- 007 on PostgreSQL: the version of notifications.rendered's shape (see the SQLite twin of
-- the same version).
ALTER TABLE notifications ADD COLUMN rendered_version INTEGER;
