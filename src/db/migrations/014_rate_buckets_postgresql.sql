-- only on postgresql
-- Rate limits shared by every server process on one database (accounts/rate_limiter.h):
-- a token bucket per key, taken by one upsert. SQLite keeps its buckets in memory: one
-- process serves a SQLite database.
CREATE TABLE rate_buckets (
  key TEXT PRIMARY KEY,
  tokens DOUBLE PRECISION NOT NULL,
  updated_at BIGINT NOT NULL,
  allowed INTEGER NOT NULL CHECK (allowed IN (0, 1)),  -- whether the last take found a token
  full_at BIGINT NOT NULL                              -- when the bucket is full again
);
CREATE INDEX rate_buckets_full ON rate_buckets(full_at);
