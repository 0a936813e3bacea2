import { Elysia } from "elysia";
import { VERSION } from "../../shared/version.ts";
import type { PlanState } from "../../plan/plan.ts";
import type { RouteDeps } from "../deps.ts";

/**
 * The plan of every Claude-login account: what the last answers' headers said, else the usage endpoint (asked with
 * that account's login; cached). API keys have no plan.
 */
export async function planStates(
  deps: Pick<RouteDeps, "plan" | "usage" | "accounts">,
): Promise<{ accounts: PlanState[]; error?: string; failed?: { account: string; error: string }[] }> {
  const logins = deps.accounts.views().filter((account) => account.kind === "oauth");
  const failed: { account: string; error: string }[] = [];
  const states = await Promise.all(
    logins.map(
      (account) =>
        deps.plan.state(account.name) ??
        deps
          .usage(account.name)
          .read()
          .catch((error: unknown) => {
            failed.push({ account: account.name, error: (error as Error).message });
            return undefined;
          }),
    ),
  );
  const accounts = states.filter((state): state is PlanState => state !== undefined);
  if (failed.length === 0) return { accounts };
  // `error` in one sentence (as before accounts); `failed` per account, so no account is dropped without a word.
  const error = failed.length === 1 && logins.length === 1 ? failed[0]?.error : failed.map((f) => `${f.account}: ${f.error}`).join("; ");
  return { accounts, ...(error ? { error } : {}), failed };
}

/** GET /healthz, /auth/status, /usage, /status.json and /metrics: never a token, only facts about it. */
export function statusRoutes(deps: RouteDeps) {
  const started = Date.now();
  /**
   * One account: its login, exactly as before accounts existed. Several: logged in when some account can be used, else
   * the first one's reason (each account's own is in `accounts`).
   */
  const login = (views = deps.accounts.views()): { logged_in: boolean; error?: string } => {
    if (views.length === 1) {
      const auth = deps.accounts.firstStatus();
      return { logged_in: auth.logged_in, ...(auth.error ? { error: auth.error } : {}) };
    }
    if (views.some((account) => account.logged_in)) return { logged_in: true };
    const error = views.find((account) => account.last_error)?.last_error?.message;
    return { logged_in: false, ...(error ? { error } : {}) };
  };
  const health = () => ({
    status: "ok",
    version: VERSION,
    ...login(),
    uptime_seconds: Math.round((Date.now() - started) / 1000),
  });
  return new Elysia({ name: "status" })
    .get("/healthz", health)
    .head("/healthz", () => new Response(null, { status: 200 }))
    .get("/auth/status", () => {
      // The first account's login, as before; with several accounts, `logged_in` and `error` speak for them all.
      const { error: _error, dead: _dead, ...first } = deps.accounts.firstStatus();
      const accounts = deps.accounts.views();
      return { ...first, ...login(accounts), accounts };
    })
    .get("/accounts", () => ({ accounts: deps.accounts.views() }))
    .get("/usage", () => planStates(deps))
    .get("/status.json", () => {
      const auth = deps.accounts.firstStatus();
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
        accounts: deps.accounts.views(),
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
