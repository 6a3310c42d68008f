-- Issue 18: anonymous voting and images sized for the screen.
--
-- events.anonymous_voting: while it is 1, the artist of an artwork is shown to nobody but
-- the artist until VOTING ends (docs/product.md §6). Set on create, changed only while OPEN.
ALTER TABLE events ADD COLUMN anonymous_voting INTEGER NOT NULL DEFAULT 0 CHECK (anonymous_voting IN (0, 1));

-- The display rendition of an artwork's image: its longest side 1600 px, made at upload
-- when the image is larger than that. NULL for a smaller image and for rows uploaded before
-- this migration: the answer then points at the original.
ALTER TABLE artworks ADD COLUMN display_key TEXT;
ALTER TABLE artworks ADD COLUMN display_type TEXT;
ALTER TABLE artworks ADD COLUMN display_width INTEGER CHECK (display_width > 0);
ALTER TABLE artworks ADD COLUMN display_height INTEGER CHECK (display_height > 0);
