-- only on sqlite
-- The content epoch (002) moves with every change to what a rendered artwork shows, by
-- the database itself: a feature that changes such text cannot forget to bump it. What
-- moves it: an artwork's title or description changing, an artwork deleted (also by a
-- cascade: SQLite may give a deleted row's id to a new one), its artist's display name
-- changing. Votes and likes change other columns and never fire these (UPDATE OF fires
-- only for statements that set a listed column). The PostgreSQL twin is the file of the
-- same version.
CREATE TRIGGER content_epoch_artwork_text AFTER UPDATE OF title, description ON artworks
  WHEN OLD.title IS NOT NEW.title OR OLD.description IS NOT NEW.description
BEGIN
  UPDATE content_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER content_epoch_artwork_deleted AFTER DELETE ON artworks
BEGIN
  UPDATE content_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER content_epoch_display_name AFTER UPDATE OF display_name ON users
  WHEN OLD.display_name IS NOT NEW.display_name
BEGIN
  UPDATE content_epoch SET n = n + 1 WHERE id = 1;
END;
