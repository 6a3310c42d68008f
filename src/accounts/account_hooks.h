#pragma once
// What other features do when a person deletes their account or exports their data (DELETE /me, docs/product.md
// §3). Each hook runs inside the deletion's transaction, before the account's own rows go
// and its user row is anonymised, so everything commits together or not at all; a hook may
// throw an ApiError to refuse the deletion (groups: 409 owner_must_transfer). Features
// register at wiring (app/wire_*.cpp); accounts reaches no other feature's tables or
// services itself.
//
// Thread-safety: Add*() while the program is wired, before serving; Run*() is then safe
// from any thread.
#include <cstdint>
#include <functional>
#include <vector>

#include "accounts/export.h"
#include "db/database.h"

namespace atelier::accounts {

class AccountHooks {
 public:
  using BeforeDelete = std::function<void(db::Tx& tx, std::int64_t user_id)>;
  // When a hook runs: refusals first, then what must see the person's rows as they are
  // (matching declines open matches and tells the partners), then what removes rows
  // (artworks, memberships).
  enum class Stage { kCheck = 0, kWithdraw = 1, kRemove = 2 };
  void AddBeforeDelete(Stage stage, BeforeDelete hook) {
    before_delete_[static_cast<int>(stage)].push_back(std::move(hook));
  }
  void RunBeforeDelete(db::Tx& tx, std::int64_t user_id) const {
    for (const auto& stage : before_delete_)
      for (const auto& hook : stage) hook(tx, user_id);
  }

  // A feature's part of GET /me/export, run in the export's read transaction.
  using ExportPart = std::function<void(db::Tx& tx, std::int64_t user_id, ExportSink& out)>;
  void AddExport(ExportPart part) { export_.push_back(std::move(part)); }
  void RunExport(db::Tx& tx, std::int64_t user_id, ExportSink& out) const {
    for (const auto& part : export_) part(tx, user_id, out);
  }

 private:
  std::vector<ExportPart> export_;
  std::vector<BeforeDelete> before_delete_[3];
};

}  // namespace atelier::accounts
