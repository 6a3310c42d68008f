#pragma once
// Times written for people, in the text of mails (docs/product.md §8), from the same calendar
// conversion as FormatTime (common/clock.h; defined in clock.cpp). Users have no time zone of
// their own, so the zone named is UTC: "Tuesday 9 March 2027, 18:00 UTC". Thread-safe (pure).
#include <string>

#include "common/clock.h"

namespace atelier {

std::string FormatHumanTime(Millis t);

}  // namespace atelier
