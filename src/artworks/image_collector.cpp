#include "artworks/image_collector.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "artworks/image_blobs.h"
#include "common/log.h"

namespace atelier::artworks {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::array<std::uint8_t, 32>> Decode(std::string_view key) {
  if (!ImageStore::ValidKey(key)) return std::nullopt;
  std::array<std::uint8_t, 32> out{};
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::uint8_t>(HexDigit(key[2 * i]) * 16 + HexDigit(key[2 * i + 1]));
  return out;
}

}  // namespace

std::string ReferencedKeysQuery() {
  std::string sql;
  for (const auto& c : kImageKeyColumns) {
    if (!sql.empty()) sql += " UNION ALL ";
    sql.append("SELECT ").append(c.column).append(" FROM ").append(c.table);
    sql.append(" WHERE ").append(c.column).append(" IS NOT NULL");
  }
  return sql;
}

void KeySet::Add(std::string_view key) {
  if (auto k = Decode(key)) keys_.push_back(*k);
}

void KeySet::Seal() {
  std::sort(keys_.begin(), keys_.end());
  keys_.erase(std::unique(keys_.begin(), keys_.end()), keys_.end());
}

bool KeySet::Contains(std::string_view key) const {
  auto k = Decode(key);
  return k && std::binary_search(keys_.begin(), keys_.end(), *k);
}

KeySet ReadReferencedKeys(db::Database& db) {
  const std::string sql = ReferencedKeysQuery();
  KeySet keys;
  db.Read([&](db::Tx& tx) { tx.ForEach(sql, [&](const db::RowView& row) { keys.Add(row.Text(0)); }); });
  keys.Seal();
  return keys;
}

ImageCollector::Pass ImageCollector::CollectBlobs() {
  Pass pass;
  auto store_lock = images_.TryLockForCollection();  // the local cache: one pass at a time
  if (!store_lock) return pass;
  pass.ran = true;
  const auto grace_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.grace).count();
  const std::int64_t cutoff_ms = DbImageBlobs::NowMs() - grace_ms;
  const std::int64_t now_ms = DbImageBlobs::NowMs();
  // NOT EXISTS, not NOT IN: PostgreSQL plans it as an anti join, which stays linear when the
  // referenced keys outgrow work_mem (a NOT IN subplan would then be probed row by row).
  const std::string sql = "DELETE FROM image_blobs b WHERE b.touched_at < $1 AND NOT EXISTS (SELECT 1 FROM (" +
                          ReferencedKeysQuery() +
                          ") AS r (k) WHERE r.k = b.key) AND NOT EXISTS (SELECT 1 FROM image_pins p WHERE p.key = "
                          "b.key AND p.expires_at > $2) RETURNING b.key, b.size";
  std::vector<std::string> removed;
  db_.Write([&](db::Tx& tx) {
    removed.clear();
    pass.removed = pass.referenced = pass.young = 0;
    pass.bytes_removed = 0;
    auto counts = tx.QueryOne("SELECT COUNT(*), COUNT(*) FILTER (WHERE touched_at >= $1) FROM image_blobs", cutoff_ms);
    pass.files = counts->Int(0);
    pass.young = counts->Int(1);
    for (auto& row : tx.Query(sql, cutoff_ms, now_ms)) {
      removed.push_back(row.Str(0));
      pass.bytes_removed += static_cast<std::uintmax_t>(row.Int(1));
    }
    pass.removed = static_cast<std::int64_t>(removed.size());
    pass.pinned = tx.QueryOne("SELECT COUNT(DISTINCT key) FROM image_pins WHERE expires_at > $1", now_ms)->Int(0);
    pass.referenced = std::max<std::int64_t>(0, pass.files - pass.young - pass.removed - pass.pinned);
    tx.Exec("DELETE FROM image_pins WHERE expires_at <= $1", now_ms);  // their uploads died
  });
  for (const auto& key : removed) images_.DropCached(key);

  // The cache: temp files of failed copies, and files of blobs collected by others. Listed
  // before the blobs are read, so a file is removed only if its blob was gone after it was
  // listed; young files stay (a copy may be in progress, a blob may be new).
  const auto cutoff = std::chrono::system_clock::now() - options_.grace;
  std::vector<std::string> old_files;
  images_.ForEachFile([&](const ImageStore::File& f) {
    if (f.modified > cutoff) return;
    if (f.key.empty()) {
      if (unlink(f.path.c_str()) == 0) ++pass.temp_removed;
    } else {
      old_files.push_back(f.key);
    }
  });
  if (!old_files.empty()) {
    KeySet blobs;
    db_.Read([&](db::Tx& tx) {
      tx.ForEach("SELECT key FROM image_blobs", [&](const db::RowView& row) { blobs.Add(row.Text(0)); });
    });
    blobs.Seal();
    for (const auto& key : old_files) {
      if (blobs.Contains(key)) continue;
      images_.DropCached(key);
      ++pass.cache_removed;
    }
  }
  return pass;
}

ImageCollector::Pass ImageCollector::CollectOnce() {
  if (images_.InDatabase()) return CollectBlobs();
  Pass pass;
  auto store_lock = images_.TryLockForCollection();
  if (!store_lock) return pass;
  pass.ran = true;

  // Read before listing: a file listed after this read whose row committed after it is
  // younger than the grace period, or is caught by the second read below.
  const KeySet referenced = ReadReferencedKeys(db_);
  const auto cutoff = std::chrono::system_clock::now() - options_.grace;
  std::vector<std::string> candidates;
  images_.ForEachFile([&](const ImageStore::File& f) {
    ++pass.files;
    if (f.modified > cutoff) {
      ++pass.young;
    } else if (f.key.empty()) {
      // A temp file older than the grace period: its Put crashed or failed long ago.
      if (unlink(f.path.c_str()) == 0) ++pass.temp_removed;
    } else if (referenced.Contains(f.key)) {
      ++pass.referenced;
    } else {
      candidates.push_back(f.key);
    }
  });

  for (size_t begin = 0; begin < candidates.size(); begin += options_.batch) {
    const size_t end = std::min(candidates.size(), begin + options_.batch);
    std::vector<ImageStore::Claim> claims;
    claims.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      if (auto claim = images_.TryClaim(candidates[i]))
        claims.push_back(std::move(*claim));
      else
        ++pass.pinned;  // an upload holds it (or it is gone already)
    }
    if (claims.empty()) continue;
    // Read again now that no upload can pin these files: a row committed by an upload that
    // held one before our claim is visible to this snapshot.
    const KeySet now_referenced = ReadReferencedKeys(db_);
    for (auto& claim : claims) {
      if (now_referenced.Contains(claim.Key())) {
        ++pass.referenced;
        continue;
      }
      pass.bytes_removed += images_.Remove(std::move(claim));
      ++pass.removed;
    }
  }
  return pass;
}

ImageCollector::ImageCollector(db::Database& db, const ImageStore& images, Options options)
    : db_(db),
      images_(images),
      options_(options),
      loop_({.component = "image_collector",
             .interval = std::chrono::duration_cast<std::chrono::milliseconds>(options.interval),
             .first_pass_at_start = false},
            [this] {
              CollectAndLog();
              return false;
            }) {}

void ImageCollector::CollectAndLog() {
  const Pass p = CollectOnce();
  if (p.removed > 0 || p.temp_removed > 0 || p.cache_removed > 0)
    log::Info("image files collected", {{"component", "image_collector"},
                                        {"removed", p.removed},
                                        {"temp_removed", p.temp_removed},
                                        {"cache_removed", p.cache_removed},
                                        {"bytes", static_cast<std::int64_t>(p.bytes_removed)},
                                        {"kept", p.referenced + p.young + p.pinned}});
}

}  // namespace atelier::artworks
