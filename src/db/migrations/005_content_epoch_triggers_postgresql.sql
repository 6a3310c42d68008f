-- only on postgresql
-- The content epoch (002) moves with every change to what a rendered artwork shows, by
-- the database itself: a feature that changes such text cannot forget to bump it. What
-- moves it: an artwork's title or description changing, an artwork deleted (also by a
-- cascade), its artist's display name changing. Votes and likes change other columns and
-- never fire these (UPDATE OF fires only for statements that set a listed column). The
-- SQLite twin is the file of the same version. The UPDATE takes the counter row's lock
-- until the transaction ends, so concurrent bumps serialize as before.
CREATE FUNCTION bump_content_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE content_epoch SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END;
$$;
CREATE TRIGGER content_epoch_artwork_text AFTER UPDATE OF title, description ON artworks
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description)
  EXECUTE FUNCTION bump_content_epoch();
CREATE TRIGGER content_epoch_artwork_deleted AFTER DELETE ON artworks
  FOR EACH ROW EXECUTE FUNCTION bump_content_epoch();
CREATE TRIGGER content_epoch_display_name AFTER UPDATE OF display_name ON users
  FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
  EXECUTE FUNCTION bump_content_epoch();
