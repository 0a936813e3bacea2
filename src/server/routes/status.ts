import { Elysia } from "elysia";
import { VERSION } from "../../shared/version.ts";
import type { RouteDeps } from "../deps.ts";

/** GET /healthz, /auth/status and /metrics: never a token, only facts about it. */
export function statusRoutes(deps: RouteDeps) {
  const started = Date.now();
  const health = () => {
    const auth = deps.credentials.status();
    return { status: "ok", version: VERSION, logged_in: auth.logged_in, uptime_seconds: Math.round((Date.now() - started) / 1000) };
  };
  return new Elysia({ name: "status" })
    .get("/healthz", health)
    .head("/healthz", () => new Response(null, { status: 200 }))
    .get("/auth/status", () => deps.credentials.status())
    .get("/metrics", ({ set }) => {
      set.headers["content-type"] = "text/plain; version=0.0.4";
      return deps.metrics.render();
    });
}
