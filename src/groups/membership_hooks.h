#pragma once
// What other features do when a membership ends. A hook runs inside the transaction that
// deletes the membership (a member leaving, or an owner or admin removing them), after the
// row is gone, so its writes commit with the change or not at all. matching registers one:
// the artist's live matches end (DECLINED, the partner told) and the events re-pair.
//
// A hook must do nothing outside the transaction (on PostgreSQL it may be retried) and may
// throw: the leave or removal then fails as a whole.
//
// The GroupService owns its MembershipHooks; the wiring hands them to the features that add
// hooks. Thread-safety: Add() while the program is wired, before the server starts; Run()
// is then safe from any thread.
#include <cstdint>
#include <functional>
#include <vector>

#include "db/database.h"

namespace atelier::groups {

using MembershipEndedHook = std::function<void(db::Tx& tx, std::int64_t group_id, std::int64_t user_id)>;

class MembershipHooks {
 public:
  void Add(MembershipEndedHook hook) { hooks_.push_back(std::move(hook)); }
  // Runs every hook, in the order they were added (GroupService::RemoveMember).
  void Run(db::Tx& tx, std::int64_t group_id, std::int64_t user_id) const {
    for (const auto& hook : hooks_) hook(tx, group_id, user_id);
  }

 private:
  std::vector<MembershipEndedHook> hooks_;
};

}  // namespace atelier::groups
