#pragma once
// Errors that end a request with a client-visible answer. Services throw ApiError at the
// point where they detect the failure; http/ turns it into problem+json in one place
// (problem.cpp). Anything else that escapes a handler is a 500.
#include <stdexcept>
#include <string>
#include <vector>

namespace atelier {

struct FieldError {
  std::string field;
  std::string code;
  std::string message;
};

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, std::string detail, std::vector<FieldError> fields = {})
      : std::runtime_error(detail), status_(status), code_(std::move(code)), fields_(std::move(fields)) {}

  int Status() const { return status_; }
  const std::string& Code() const { return code_; }
  const std::vector<FieldError>& Fields() const { return fields_; }
  // Seconds for Retry-After on 429; 0 when not set.
  int RetryAfter() const { return retry_after_; }
  ApiError& WithRetryAfter(int seconds) {
    retry_after_ = seconds;
    return *this;
  }

 private:
  int status_;
  std::string code_;
  std::vector<FieldError> fields_;
  int retry_after_ = 0;
};

// Shorthands for the codes docs/product.md §2 names.
inline ApiError BadRequest(std::string detail) { return ApiError(400, "bad_request", std::move(detail)); }
inline ApiError NotFound(std::string detail = "Not found") { return ApiError(404, "not_found", std::move(detail)); }
inline ApiError Forbidden(std::string detail = "You do not have the role this needs", std::string code = "forbidden") {
  return ApiError(403, std::move(code), std::move(detail));
}
inline ApiError Conflict(std::string code, std::string detail) {
  return ApiError(409, std::move(code), std::move(detail));
}
inline ApiError Unauthenticated() { return ApiError(401, "unauthenticated", "Authentication is required"); }

// Collects field errors for a 422; Throw() does nothing when none were added.
class Validation {
 public:
  void Add(std::string field, std::string code, std::string message) {
    errors_.push_back({std::move(field), std::move(code), std::move(message)});
  }
  bool Ok() const { return errors_.empty(); }
  void ThrowIfAny() const {
    if (!errors_.empty()) throw ApiError(422, "validation_failed", "The request has invalid fields", errors_);
  }

 private:
  std::vector<FieldError> errors_;
};

}  // namespace atelier
