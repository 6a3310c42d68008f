-- only on postgresql
-- Image bytes in the database (--images db, artworks/image_blobs.h): every server process
-- reads them without a shared disk. Content-addressed (key: SHA-256 hex of the bytes) and
-- kept in chunks of 256 KiB; the collector deletes a blob no row names and no pin holds once
-- touched_at (the last upload that stored or found it) is older than its grace period.
CREATE TABLE image_blobs (
  key TEXT PRIMARY KEY CHECK (length(key) = 64),
  size BIGINT NOT NULL CHECK (size >= 0),
  created_at BIGINT NOT NULL,
  touched_at BIGINT NOT NULL
);
CREATE INDEX image_blobs_touched ON image_blobs (touched_at);
CREATE TABLE image_chunks (
  key TEXT NOT NULL REFERENCES image_blobs (key) ON DELETE CASCADE,
  seq INTEGER NOT NULL CHECK (seq >= 0),
  data BYTEA NOT NULL,
  PRIMARY KEY (key, seq)
);
-- Images are compressed already: store chunks out of line without trying to compress them.
ALTER TABLE image_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
-- An upload between storing its blobs and committing the row that names them (ended by the
-- upload; one that outlives expires_at, its process having died, no longer holds).
CREATE TABLE image_pins (
  id BIGSERIAL PRIMARY KEY,
  key TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX image_pins_key ON image_pins (key);
