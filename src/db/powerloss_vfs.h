#pragma once
// For tests only: a SQLite VFS that models a machine losing power. It wraps SQLite's
// default ("unix") VFS and keeps, for every file it has opened, what a disk would hold:
// the bytes as of the file's last xSync. Writes and truncations go to the real file (so
// every connection reads them, as it would from the page cache), and the shim remembers
// the bytes they replaced; an xSync of any handle of the file forgets them, as fdatasync
// makes a file's dirty pages durable whichever descriptor asks. CutPower() puts every file
// back as of its last sync — restores the replaced bytes, newest first, and truncates the
// file to its synced length — and from then on writes, truncations, syncs and deletions do
// nothing (and report success), as if the machine were off: the connections still open can
// be closed without changing the files.
//
// Not modelled: the -shm file (written through shared memory, not xWrite; SQLite rebuilds
// it from the WAL after a crash, and tests remove it), directory entries (a created file
// stays; a deleted one stays deleted), torn sectors. xSync does not reach the disk: the
// shim is the disk.
//
// Thread-safety: every method, and the VFS itself, may be used from any thread. The
// object must outlive every connection opened with it.
#include <memory>
#include <string>

namespace atelier::db::testing {

class PowerLossVfs {
 public:
  // Registers a VFS named `name` (not as the default). Throws std::runtime_error.
  explicit PowerLossVfs(std::string name);
  ~PowerLossVfs();  // unregisters it
  PowerLossVfs(const PowerLossVfs&) = delete;
  PowerLossVfs& operator=(const PowerLossVfs&) = delete;

  const std::string& Name() const;
  // The power goes (see above). Throws std::runtime_error when a file cannot be restored.
  void CutPower();
  // How many xSync calls reached the shim while the power was on, for all files.
  long Syncs() const;

  struct Impl;  // the VFS's state (powerloss_vfs.cpp), reached from SQLite's callbacks

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace atelier::db::testing
