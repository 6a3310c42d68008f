-- only on postgresql
-- 003 on PostgreSQL: the same column, checked by parsing it. PostgreSQL proves the partial
-- index's predicate by itself and keeps 001's indexes.
ALTER TABLE notifications ADD COLUMN rendered TEXT
  CHECK (rendered IS NULL OR (rendered LIKE '"type":%' AND json_typeof(('{' || rendered || '}')::json) = 'object'));
