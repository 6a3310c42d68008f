#pragma once
// Pure checks of event and artwork text input (docs/product.md §5–§6). Each adds field errors to a
// Validation ("invalid", with a message saying why) and returns the normalised value.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace atelier::events {

inline constexpr size_t kMaxName = 120;          // event name, artwork title
inline constexpr size_t kMaxDescription = 2000;  // event and artwork descriptions
inline constexpr std::int64_t kDefaultVotesPerMember = 3;
inline constexpr std::int64_t kDefaultMaxArtworksPerMember = 1;

// A one-line name: trimmed, 1–max characters, valid UTF-8, no control characters.
std::string CheckLine(std::string_view field, std::string_view raw, size_t max, Validation& v);
// Free text: at most max characters, valid UTF-8, no control characters but \n \r \t.
void CheckText(std::string_view field, std::string_view text, size_t max, Validation& v);
// An integer within [lo, hi].
void CheckRange(std::string_view field, std::int64_t value, std::int64_t lo, std::int64_t hi, Validation& v);

}  // namespace atelier::events
