-- One counter, bumped by every transaction that changes text a rendered artwork shows
-- (its title or description, its artist's display name) or that deletes artworks (SQLite
-- may give a deleted row's id to a new one). A process that keeps renderings in memory
-- tags them with the value it read in the same snapshot (src/db/content_epoch.h).
CREATE TABLE content_epoch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n BIGINT NOT NULL
);
INSERT INTO content_epoch (id, n) VALUES (1, 0);
