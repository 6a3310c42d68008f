#pragma once
// How a handler acknowledges a write only once it is on disk: the service names its commit
// in a db::CommitToken, and the route returns Durable(response, token); the server then
// holds the response until the database reports that commit durable
// (Response::durable_after, ServerOptions::when_durable, db::Database::WhenDurable).
#include "db/database.h"
#include "http/types.h"

namespace atelier::http {

inline Response Durable(Response r, const db::CommitToken& token) {
  r.durable_after = token.seq;
  return r;
}

}  // namespace atelier::http
