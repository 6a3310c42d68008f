#include "db/powerloss_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/mutex.h"

namespace atelier::db::testing {

namespace {

// The bytes a write or truncation replaced, to be put back if the power goes first.
struct Undo {
  sqlite3_int64 offset;
  std::string bytes;
};

// What the disk holds of one file: its length and, through `undo`, its bytes as of the last
// sync. Shared by every handle of the file.
struct FileState {
  sqlite3_int64 synced_size = 0;
  std::vector<Undo> undo;  // oldest first
};

struct ShimFile;

}  // namespace

struct PowerLossVfs::Impl {
  std::string name;
  sqlite3_vfs* base = nullptr;
  sqlite3_vfs vfs{};
  mutable Mutex mu;
  std::map<std::string, FileState> files GUARDED_BY(mu);  // by full path; nodes never move
  bool off GUARDED_BY(mu) = false;
  long syncs GUARDED_BY(mu) = 0;
};

namespace {

struct ShimFile {
  sqlite3_file base;         // first: SQLite sees a ShimFile as a sqlite3_file
  PowerLossVfs::Impl* impl;  // the VFS that opened it
  FileState* state;          // nullptr for files without a name (temporary files)
  sqlite3_file* real;        // the base VFS's handle, in the same allocation
};

ShimFile* Shim(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f); }
sqlite3_file* Real(sqlite3_file* f) { return Shim(f)->real; }

// Reads [offset, offset + n) of the real file as it is now (zeros past its end).
std::string ReadNow(sqlite3_file* real, sqlite3_int64 offset, sqlite3_int64 n) {
  std::string bytes(static_cast<size_t>(n), '\0');
  const int rc = real->pMethods->xRead(real, bytes.data(), static_cast<int>(n), offset);
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) throw std::runtime_error("powerloss vfs: read failed");
  return bytes;
}

sqlite3_int64 SizeNow(sqlite3_file* real) {
  sqlite3_int64 size = 0;
  if (real->pMethods->xFileSize(real, &size) != SQLITE_OK) throw std::runtime_error("powerloss vfs: size failed");
  return size;
}

int Close(sqlite3_file* f) {
  const int rc = Real(f)->pMethods->xClose(Real(f));
  f->pMethods = nullptr;
  return rc;
}

int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 offset) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, offset);
}

int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 offset) {
  ShimFile* s = Shim(f);
  if (s->state == nullptr) return s->real->pMethods->xWrite(s->real, buf, n, offset);
  MutexLock lk(s->impl->mu);
  if (s->impl->off) return SQLITE_OK;
  try {
    const sqlite3_int64 end = std::min(offset + n, s->state->synced_size);
    if (offset < end) s->state->undo.push_back({offset, ReadNow(s->real, offset, end - offset)});
  } catch (const std::exception&) {
    return SQLITE_IOERR_WRITE;
  }
  return s->real->pMethods->xWrite(s->real, buf, n, offset);
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  ShimFile* s = Shim(f);
  if (s->state == nullptr) return s->real->pMethods->xTruncate(s->real, size);
  MutexLock lk(s->impl->mu);
  if (s->impl->off) return SQLITE_OK;
  try {
    const sqlite3_int64 end = std::min(SizeNow(s->real), s->state->synced_size);
    if (size < end) s->state->undo.push_back({size, ReadNow(s->real, size, end - size)});
  } catch (const std::exception&) {
    return SQLITE_IOERR_TRUNCATE;
  }
  return s->real->pMethods->xTruncate(s->real, size);
}

int Sync(sqlite3_file* f, int /*flags*/) {
  ShimFile* s = Shim(f);
  if (s->state == nullptr) return SQLITE_OK;
  MutexLock lk(s->impl->mu);
  if (s->impl->off) return SQLITE_OK;
  try {
    s->state->synced_size = SizeNow(s->real);
  } catch (const std::exception&) {
    return SQLITE_IOERR_FSYNC;
  }
  s->state->undo.clear();
  ++s->impl->syncs;
  return SQLITE_OK;
}

int FileSize(sqlite3_file* f, sqlite3_int64* size) { return Real(f)->pMethods->xFileSize(Real(f), size); }
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) { return Real(f)->pMethods->xCheckReservedLock(Real(f), out); }
int FileControl(sqlite3_file* f, int op, void* arg) { return Real(f)->pMethods->xFileControl(Real(f), op, arg); }
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); }

int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  const auto* m = Real(f)->pMethods;
  if (m->iVersion < 2 || m->xShmMap == nullptr) return SQLITE_IOERR_SHMMAP;
  return m->xShmMap(Real(f), page, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  const auto* m = Real(f)->pMethods;
  if (m->iVersion < 2 || m->xShmLock == nullptr) return SQLITE_IOERR_SHMLOCK;
  return m->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) {
  const auto* m = Real(f)->pMethods;
  if (m->iVersion >= 2 && m->xShmBarrier != nullptr) m->xShmBarrier(Real(f));
}
int ShmUnmap(sqlite3_file* f, int del) {
  const auto* m = Real(f)->pMethods;
  if (m->iVersion < 2 || m->xShmUnmap == nullptr) return SQLITE_OK;
  return m->xShmUnmap(Real(f), del);
}
int Fetch(sqlite3_file* f, sqlite3_int64 offset, int n, void** out) {
  const auto* m = Real(f)->pMethods;
  *out = nullptr;
  if (m->iVersion < 3 || m->xFetch == nullptr) return SQLITE_OK;
  return m->xFetch(Real(f), offset, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  const auto* m = Real(f)->pMethods;
  if (m->iVersion < 3 || m->xUnfetch == nullptr) return SQLITE_OK;
  return m->xUnfetch(Real(f), offset, p);
}

const sqlite3_io_methods kMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    ShmMap,
    ShmLock,
    ShmBarrier,
    ShmUnmap,
    Fetch,
    Unfetch,
};

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* impl = static_cast<PowerLossVfs::Impl*>(vfs->pAppData);
  ShimFile* s = Shim(f);
  s->base.pMethods = nullptr;
  s->impl = impl;
  s->state = nullptr;
  s->real = reinterpret_cast<sqlite3_file*>(s + 1);
  const int rc = impl->base->xOpen(impl->base, name, s->real, flags, out_flags);
  if (s->real->pMethods == nullptr) return rc;
  s->base.pMethods = &kMethods;  // from now on xClose reaches the real handle
  if (rc != SQLITE_OK || name == nullptr) return rc;
  MutexLock lk(impl->mu);
  auto [it, created] = impl->files.try_emplace(name);
  // A file first seen is on disk as it is (the test starts with the power on and synced).
  if (created) {
    try {
      it->second.synced_size = SizeNow(s->real);
    } catch (const std::exception&) {
      return SQLITE_IOERR;
    }
  }
  s->state = &it->second;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  auto* impl = static_cast<PowerLossVfs::Impl*>(vfs->pAppData);
  MutexLock lk(impl->mu);
  if (impl->off) return SQLITE_OK;
  auto it = impl->files.find(name);
  if (it != impl->files.end()) it->second = FileState{};  // gone for good; a new file starts empty
  return impl->base->xDelete(impl->base, name, sync_dir);
}

}  // namespace

PowerLossVfs::PowerLossVfs(std::string name) : impl_(std::make_unique<Impl>()) {
  impl_->name = std::move(name);
  impl_->base = sqlite3_vfs_find(nullptr);
  if (impl_->base == nullptr) throw std::runtime_error("powerloss vfs: no default VFS");
  // The base VFS's other functions ignore the sqlite3_vfs they are given but for fields
  // copied here (mxPathname), so they serve unchanged.
  impl_->vfs = *impl_->base;
  impl_->vfs.iVersion = std::min(impl_->base->iVersion, 2);  // no system-call overrides
  impl_->vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + impl_->base->szOsFile;
  impl_->vfs.pNext = nullptr;
  impl_->vfs.zName = impl_->name.c_str();
  impl_->vfs.pAppData = impl_.get();
  impl_->vfs.xOpen = Open;
  impl_->vfs.xDelete = Delete;
  if (sqlite3_vfs_register(&impl_->vfs, 0) != SQLITE_OK) throw std::runtime_error("powerloss vfs: cannot register");
}

PowerLossVfs::~PowerLossVfs() { sqlite3_vfs_unregister(&impl_->vfs); }

const std::string& PowerLossVfs::Name() const { return impl_->name; }

long PowerLossVfs::Syncs() const {
  MutexLock lk(impl_->mu);
  return impl_->syncs;
}

void PowerLossVfs::CutPower() {
  MutexLock lk(impl_->mu);
  if (impl_->off) return;
  impl_->off = true;
  for (auto& [path, state] : impl_->files) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) continue;  // deleted: stays deleted
    for (auto it = state.undo.rbegin(); it != state.undo.rend(); ++it) {
      if (::pwrite(fd, it->bytes.data(), it->bytes.size(), it->offset) != static_cast<ssize_t>(it->bytes.size())) {
        ::close(fd);
        throw std::runtime_error("powerloss vfs: cannot restore " + path);
      }
    }
    if (::ftruncate(fd, state.synced_size) != 0) {
      ::close(fd);
      throw std::runtime_error("powerloss vfs: cannot truncate " + path);
    }
    ::close(fd);
    state.undo.clear();
  }
}

}  // namespace atelier::db::testing
