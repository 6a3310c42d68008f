#pragma once
// The operator's commands besides serve (docs/operations.md): `atelier backup PATH`,
// `atelier restore PATH` and `atelier collect-images`. Each prints what it did on stdout
// and returns the process's exit code (0 done; 1 refused or failed, with one line
// "atelier: …" on stderr).
#include "app/config.h"
#include "app/context.h"
#include "artworks/image_collector.h"

namespace atelier::app {

// A consistent copy of a SQLite deployment, running or not: the database by SQLite's
// online backup (db/sqlite_backup.h) into PATH/atelier.db, the image files that snapshot
// references into PATH/images (checked against their keys), and last PATH/atelier-backup.json,
// which marks the copy complete. PATH must not exist or be an empty directory. No image
// file is collected while the copy runs (the image store's lock is shared). Refuses a
// PostgreSQL database (pg_dump is the tool there).
int RunBackup(const Config& cfg);

// Puts a copy made by RunBackup into --db (SQLite) and --data-dir: the image files first
// (each checked against its key), then the database, replacing the file (and any
// -wal/-shm) by one rename. Refuses when a process has the database open, and, without
// --force, when the target holds a database or image files.
int RunRestore(const Config& cfg);

// One pass of the image collector on the opened database.
int RunCollectImages(AppContext& ctx);

// `atelier images import`: copies the image files of --data-dir into the database's blobs
// (artworks/image_blobs.h), each checked against its SHA-256 name; blobs already there are
// skipped, so a second run copies nothing. Fails (1) when a file is damaged, after
// copying the others.
int RunImagesImport(AppContext& ctx);

// The image store --images chooses (with its database blobs for db), owned by ctx.
artworks::ImageStore& OwnImageStore(AppContext& ctx);

artworks::ImageCollector::Options CollectorOptions(const Config& cfg);

}  // namespace atelier::app
