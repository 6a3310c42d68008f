// `atelier demo`: a small community to look around in — five artists, one group, and an
// event in each phase, with real (generated) images, votes and likes. Everything goes
// through the same services the API uses, so the demo data obeys every rule.
#include <vips/vips8>

#include <cstdio>
#include <string>
#include <vector>

#include "accounts/service.h"
#include "app/context.h"
#include "app/ops.h"
#include "artworks/image.h"
#include "artworks/image_store.h"
#include "artworks/service.h"
#include "events/service.h"
#include "groups/service.h"

namespace atelier::app {

namespace {

constexpr const char* kPassword = "atelier-demo";

struct DemoUser {
  const char* username;
  const char* display_name;
  accounts::AuthUser auth;
};

// A colourful test card: a hue gradient with a few rings, different for each seed.
std::string DemoPng(int seed, int width, int height) {
  auto xy = vips::VImage::xyz(width, height);
  auto x = xy.extract_band(0), y = xy.extract_band(1);
  auto cx = x - width / 2.0, cy = y - height / 2.0;
  auto dist = (cx * cx + cy * cy).pow(0.5);
  auto r = (x * (255.0 / width) + seed * 40) % 256;
  auto g = (y * (255.0 / height) + seed * 70) % 256;
  auto b = ((dist / (6 + seed)).sin() * 100 + 128 + seed * 15) % 256;
  auto rgb = r.bandjoin(g)
                 .bandjoin(b)
                 .cast(VIPS_FORMAT_UCHAR)
                 .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
  void* buf = nullptr;
  size_t len = 0;
  rgb.write_to_buffer(".png", &buf, &len);
  std::string out(static_cast<const char*>(buf), len);
  g_free(buf);
  return out;
}

}  // namespace

int RunDemo(AppContext& ctx, const events::PhaseHooks& phase_hooks) {
  auto& db = *ctx.db;
  if (db.Read([](db::Tx& tx) { return tx.QueryOne("SELECT 1 FROM users LIMIT 1").has_value(); })) {
    std::printf("demo: the database has users already; nothing added.\n");
    std::printf(
        "demo logins (if this database was filled by `atelier demo`): ada, berthe, claude, dora, edgar — "
        "password %s\n",
        kPassword);
    return 0;
  }
  accounts::AccountsConfig acfg;
  acfg.rate_limits = false;
  accounts::AccountService accounts(db, ctx.clock, *ctx.notifier, acfg);
  accounts::RateLimiter no_limits(ctx.clock, false);
  groups::GroupService groups(db, ctx.clock, *ctx.notifier, no_limits);
  events::EventService events(db, ctx.clock, *ctx.notifier, no_limits);
  events.Hooks() = phase_hooks;  // leaving VOTING publishes counts, leaving MATCHING pairs
  artworks::ImageStore& images = OwnImageStore(ctx);
  artworks::ArtworkService art(db, ctx.clock, *ctx.notifier, images);
  // The demo acknowledges nothing to a client; closing the database at exit makes it all durable.
  db::CommitToken durable;

  std::vector<DemoUser> users = {{"ada", "Ada Moreau", {}},
                                 {"berthe", "Berthe Lind", {}},
                                 {"claude", "Claude Okafor", {}},
                                 {"dora", "Dora Sato", {}},
                                 {"edgar", "Edgar Ruiz", {}}};
  for (auto& u : users) {
    std::int64_t id =
        accounts.Register(u.username, std::string(u.username) + "@demo.atelier.test", kPassword, durable).id.value;
    accounts.UpdateProfile(id, std::string(u.display_name), std::string("Demo artist."), std::nullopt, false, durable);
    // Demo accounts skip the emailed link.
    db.Write([&](db::Tx& tx) { tx.Exec("UPDATE users SET email_verified = 1 WHERE id = $1", id); });
    u.auth =
        accounts::AuthUser{id, u.username, u.display_name, std::string(u.username) + "@demo.atelier.test", true, ""};
  }
  auto& owner = users[0].auth;
  auto group = groups.Create(
      owner, {"Sketch Club", "Weekly prompts and art trades among friends.", "Draw more, swap art, meet artists."},
      durable);
  for (size_t i = 1; i < users.size(); ++i) {
    groups::InviteInput inv;
    inv.username = users[i].username;
    auto invitation = groups.Invite(owner, group.id, inv, durable);
    groups.Accept(users[i].auth, invitation.id, durable);
  }
  groups.SetRole(owner, group.id, users[1].auth.id, groups::Role::kAdmin, durable);

  struct Plan {
    const char* name;
    const char* description;
    events::Phase phase;
  };
  const Plan plans[] = {{"Still Life", "Fruit, bottles, light.", events::Phase::kClosed},
                        {"Landscapes", "Somewhere you have been.", events::Phase::kMatching},
                        {"Portraits", "Someone you know.", events::Phase::kVoting},
                        {"Spring Open", "Anything goes. Submit one piece.", events::Phase::kOpen}};
  int seed = 0;
  for (const auto& plan : plans) {
    events::EventInput in;
    in.name = plan.name;
    in.description = std::optional<std::string>(plan.description);
    in.votes_per_member = 2;
    std::int64_t event_id = events.Create(owner.id, group.id, in, durable).id.value;
    std::vector<std::int64_t> artwork_ids;
    size_t artists = plan.phase == events::Phase::kOpen ? 2 : users.size();
    for (size_t i = 0; i < artists; ++i) {
      auto processed = artworks::ProcessImage(DemoPng(seed++, 960, 720));
      auto* img = std::get_if<artworks::ProcessedImage>(&processed);
      if (!img) throw std::runtime_error("demo image could not be processed");
      auto a = art.Create(users[i].auth.id, event_id, std::string(plan.name) + " by " + users[i].display_name,
                          "A demo piece.", *img, durable);
      artwork_ids.push_back(a.id.value);
    }
    if (plan.phase == events::Phase::kOpen) continue;
    events.Advance(owner.id, event_id, events::Phase::kVoting, durable);
    for (size_t i = 0; i < users.size(); ++i) {
      // Each artist votes for the next two pieces that are not theirs.
      for (size_t k = 1; k <= 2; ++k) art.Vote(users[i].auth.id, artwork_ids[(i + k) % artwork_ids.size()], durable);
    }
    if (plan.phase == events::Phase::kVoting) continue;
    events.Advance(owner.id, event_id, events::Phase::kMatching, durable);
    // Likes in a ring and back, so the pairing has mutual likes to work with.
    db.Write([&](db::Tx& tx) {
      Millis now = ctx.clock.Now();
      for (size_t i = 0; i < users.size(); ++i) {
        for (size_t k : {size_t{1}, users.size() - 1}) {
          std::int64_t artwork = artwork_ids[(i + k) % artwork_ids.size()];
          tx.Exec(
              "INSERT INTO likes (liker_id, artwork_id, event_id, rank, created_at) VALUES ($1, $2, $3, $4, $5) "
              "ON CONFLICT DO NOTHING",
              users[i].auth.id, artwork, event_id, static_cast<std::int64_t>(k == 1 ? 1 : 2), now);
        }
      }
    });
    if (plan.phase == events::Phase::kMatching) continue;
    events.Advance(owner.id, event_id, events::Phase::kClosed, durable);
  }
  std::printf("demo: added 5 artists, the group \"Sketch Club\" and an event in each phase.\n");
  std::printf("demo logins: ada (owner), berthe (admin), claude, dora, edgar — password %s\n", kPassword);
  return 0;
}

}  // namespace atelier::app
