-- only on postgresql
-- Each server process caches the sessions it resolved (accounts/session_cache.h); the
-- database itself tells every process when one may have changed, so no feature has to
-- remember to: a NOTIFY on atelier_session_cache with the user's id, sent at commit, when
-- a session is deleted (logout, password change or reset, the user's deletion by cascade)
-- or changed, and when a user row is deleted or changes in a column a session resolves to
-- (or that ends it: the password, a lock). A receiver drops every cached session of that
-- user. Logins (INSERT) and failed-login counts change nothing cached and send nothing.
-- Notifications with the same payload in one transaction are delivered once, so deleting
-- many sessions of one user sends one. SQLite does not cache sessions: no twin.
CREATE FUNCTION session_cache_signal_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('atelier_session_cache', OLD.user_id::text);
  IF TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id THEN
    PERFORM pg_notify('atelier_session_cache', NEW.user_id::text);
  END IF;
  RETURN NULL;
END;
$$;
CREATE FUNCTION session_cache_signal_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('atelier_session_cache', OLD.id::text);
  RETURN NULL;
END;
$$;
CREATE TRIGGER session_cache_session_changed AFTER UPDATE OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION session_cache_signal_session();
CREATE TRIGGER session_cache_user_deleted AFTER DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION session_cache_signal_user();
CREATE TRIGGER session_cache_user_changed
  AFTER UPDATE OF username, display_name, email, email_verified, password_hash, locked_until ON users
  FOR EACH ROW WHEN (OLD.username IS DISTINCT FROM NEW.username
                     OR OLD.display_name IS DISTINCT FROM NEW.display_name
                     OR OLD.email IS DISTINCT FROM NEW.email
                     OR OLD.email_verified IS DISTINCT FROM NEW.email_verified
                     OR OLD.password_hash IS DISTINCT FROM NEW.password_hash
                     OR OLD.locked_until IS DISTINCT FROM NEW.locked_until)
  EXECUTE FUNCTION session_cache_signal_user();
