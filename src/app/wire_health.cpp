#include "app/context.h"
#include "http/problem.h"

namespace atelier::app {

void WireHealth(AppContext& ctx) {
  using http::Request;
  using http::Response;
  ctx.router.Add("GET", "/healthz",
                 [](Request&) {
                   return Response::Json(200, {{"status", "ok"}});
                 },
                 {.pool = http::Pool::kInline});
  ctx.router.Add("GET", "/readyz", [&ctx](Request&) {
    if (ctx.db->Ping()) return Response::Json(200, {{"status", "ready"}});
    return http::Problem(503, "unavailable", "The database does not answer");
  });
  ctx.router.Add("GET", "/metrics",
                 [&ctx](Request&) {
                   Response r;
                   r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                   r.body = ctx.metrics.Render();
                   return r;
                 },
                 {.pool = http::Pool::kInline});
  ctx.metrics.AddGauge("atelier_db_pool_size", "Database connections the pool may hold.",
                       [&ctx] { return static_cast<double>(ctx.db->Stats().size); });
  ctx.metrics.AddGauge("atelier_db_pool_in_use", "Database connections lent out now.",
                       [&ctx] { return static_cast<double>(ctx.db->Stats().in_use); });
}

}  // namespace atelier::app
