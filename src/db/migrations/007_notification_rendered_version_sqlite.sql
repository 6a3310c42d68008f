-- only on sqlite
-- notifications.rendered (003) is API-shaped text, so it now carries the version of the
-- shape it was written in (notify/resources.h, api::kRenderedVersion): a feed page
-- splices only text of the version the server writes, and writes other rows (NULL here:
-- everything written before this) from their columns. notifications_feed carries the
-- version so that a page is still read from the index alone. The PostgreSQL twin is the
-- file of the same version.
ALTER TABLE notifications ADD COLUMN rendered_version INTEGER;
DROP INDEX notifications_feed;
CREATE INDEX notifications_feed ON notifications(user_id, id, is_read, rendered_version, rendered);
