-- GET /healthz: the bare server, the figure every endpoint is compared with.
wrk.method = "GET"
wrk.path = "/healthz"
