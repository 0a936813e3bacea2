import { Elysia } from "elysia";
import { VERSION } from "../../shared/version.ts";
import type { PlanState } from "../../plan/plan.ts";
import type { RouteDeps } from "../deps.ts";

/**
 * The plan per account: what the last answers' headers said, else the usage endpoint (asked with the login; cached).
 * An API key has no plan: an empty list.
 */
export async function planStates(
  deps: Pick<RouteDeps, "plan" | "usage" | "credentials">,
): Promise<{ accounts: PlanState[]; error?: string }> {
  const seen = deps.plan.states();
  if (seen.length > 0) return { accounts: seen };
  if (deps.credentials.status().method !== "oauth") return { accounts: [] };
  return deps.usage.read().then(
    (state) => ({ accounts: [state] }),
    (error: unknown) => ({ accounts: [], error: (error as Error).message }),
  );
}

/** GET /healthz, /auth/status, /usage, /status.json and /metrics: never a token, only facts about it. */
export function statusRoutes(deps: RouteDeps) {
  const started = Date.now();
  const health = () => {
    const auth = deps.credentials.status();
    return {
      status: "ok",
      version: VERSION,
      logged_in: auth.logged_in,
      ...(auth.error ? { error: auth.error } : {}),
      uptime_seconds: Math.round((Date.now() - started) / 1000),
    };
  };
  return new Elysia({ name: "status" })
    .get("/healthz", health)
    .head("/healthz", () => new Response(null, { status: 200 }))
    .get("/auth/status", () => deps.credentials.status())
    .get("/usage", () => planStates(deps))
    .get("/status.json", () => {
      const auth = deps.credentials.status();
      return {
        version: VERSION,
        uptime_seconds: Math.round((Date.now() - started) / 1000),
        auth: {
          logged_in: auth.logged_in,
          method: auth.method,
          account: auth.account,
          expires_at: auth.expires_at,
          refreshable: auth.refreshable,
          ...(auth.error ? { error: auth.error } : {}),
        },
        models: deps.metrics.models(),
        open_streams: deps.metrics.openStreams,
        recent_errors: deps.recentErrors(),
      };
    })
    .get("/metrics", ({ set }) => {
      set.headers["content-type"] = "text/plain; version=0.0.4";
      return deps.metrics.render();
    });
}
