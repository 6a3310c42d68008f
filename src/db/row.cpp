// Row accessors: each backend returns the natural type it has (SQLite: the stored type;
// PostgreSQL: int8/float8/text by column type), so the accessors convert between text and
// numbers rather than make feature code care which backend answered.
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "db/database.h"

namespace atelier::db {
namespace {

[[noreturn]] void ThrowNull(size_t i) { throw std::runtime_error("column " + std::to_string(i) + " is NULL"); }

std::string FormatDouble(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  if (ec != std::errc()) throw std::runtime_error("cannot format a double");
  return std::string(buf, end);
}

}  // namespace

std::int64_t Row::Int(size_t i) const { return IntOf(cells_.at(i), i); }

std::int64_t IntOf(const Value& v, size_t i) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) {
    // PostgreSQL answers SUM() of integers as numeric; accept whole numbers only so a
    // fraction is never silently dropped.
    if (std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < 9.2e18) return static_cast<std::int64_t>(*d);
    throw std::runtime_error("column " + std::to_string(i) + " is not an integer: " + FormatDouble(*d));
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && p == s->data() + s->size()) return out;
    throw std::runtime_error("column " + std::to_string(i) + " is not an integer: '" + s->substr(0, 40) + "'");
  }
  ThrowNull(i);
}

double Row::Real(size_t i) const {
  const Value& v = cells_.at(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&v)) {
    double out = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && p == s->data() + s->size()) return out;
    throw std::runtime_error("column " + std::to_string(i) + " is not a number: '" + s->substr(0, 40) + "'");
  }
  ThrowNull(i);
}

std::string Row::Str(size_t i) const {
  const Value& v = cells_.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) return FormatDouble(*d);
  ThrowNull(i);
}

std::string Row::TakeStr(size_t i) {
  if (auto* s = std::get_if<std::string>(&cells_.at(i))) return std::move(*s);
  return Str(i);
}

}  // namespace atelier::db
