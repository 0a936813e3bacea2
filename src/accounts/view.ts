/**
 * What is known about each account, in one shape for `GET /accounts`, `maximize accounts` and the status page: from
 * the running proxy (plan, cooldown, last error, requests) or, with no proxy running, from the files alone.
 */
import { accountCredentials, DEFAULT_ACCOUNT, listAccounts, type AccountKind, type AccountRef } from "../auth/accounts.ts";
import { createCredentials } from "../auth/credentials.ts";
import type { AuthStatus } from "../auth/tokens.ts";
import type { Config } from "../config/load.ts";
import type { Fetch } from "../shared/http.ts";
import type { PlanState } from "../plan/plan.ts";

/** ready: takes requests; cooling: at a plan limit until cooling_until; dead: its login must be renewed; error: see last_error. */
export type AccountState = "ready" | "cooling" | "dead" | "not_logged_in" | "error";

export interface AccountView {
  name: string;
  kind: AccountKind;
  /** The account's file (the token file for `default`). */
  file: string;
  state: AccountState;
  logged_in: boolean;
  /** The Claude account's e-mail, when the login told it. */
  email: string | null;
  /** Unix seconds; null for API keys and long-lived tokens. */
  expires_at: number | null;
  /** The plan as the last answers (or the usage endpoint) told it; null for API keys and when nothing is known yet. */
  plan: PlanState | null;
  /** The binding window's utilization (0–1): the highest of the plan's windows; null when unknown. */
  utilization: number | null;
  /** ISO 8601: until when new requests avoid this account. */
  cooling_until: string | null;
  cooling_reason: string | null;
  last_error: { at: string; message: string } | null;
  /** Requests this proxy sent with the account since it started (0 without a proxy). */
  requests: number;
}

/** The state a login's status implies (a proxy adds cooling and errors it has seen). */
export function stateOf(auth: AuthStatus): AccountState {
  if (auth.logged_in) return "ready";
  if (auth.method === "none" && !auth.error) return "not_logged_in";
  return auth.dead ? "dead" : "error";
}

/** The highest utilization among the plan's windows (the one that binds first), or null when none is known. */
export function bindingUtilization(plan: PlanState | null | undefined): number | null {
  if (!plan) return null;
  const values = Object.entries(plan.windows)
    .filter(([name]) => name !== "overage")
    .map(([, window]) => window.utilization);
  return values.length > 0 ? Math.max(...values) : null;
}

/**
 * An account as its login's status tells it; a running proxy adds (`known`) what only it knows: plan, cooldown, the
 * last error it met, its requests — and a state of its own (dead, cooling) where it knows better than the file.
 */
export function accountView(
  ref: AccountRef,
  kind: AccountKind,
  auth: AuthStatus,
  known: Partial<AccountView> = {},
  at = Date.now(),
): AccountView {
  return {
    name: ref.name,
    kind,
    file: ref.path,
    state: stateOf(auth),
    logged_in: auth.logged_in,
    email: auth.account,
    expires_at: auth.expires_at,
    plan: null,
    utilization: null,
    cooling_until: null,
    cooling_reason: null,
    last_error: auth.error ? { at: new Date(at).toISOString(), message: auth.error } : null,
    requests: 0,
    ...known,
  };
}

/** The accounts as their files tell them, without a running proxy. */
export function localAccountViews(config: Config, fetch: Fetch): AccountView[] {
  // An API key in the config is the one account, as the proxy uses it.
  const refs = config.api.anthropic_api_key ? [{ name: DEFAULT_ACCOUNT, path: config.storage.token_file }] : listAccounts(config);
  return refs.map((ref) => {
    let kind: AccountKind = "oauth";
    let auth: AuthStatus;
    try {
      const built = config.api.anthropic_api_key
        ? { kind: "api_key" as const, credentials: createCredentials(config, fetch) }
        : accountCredentials(config, ref, fetch);
      kind = built.kind;
      auth = built.credentials.status();
    } catch (error) {
      auth = {
        logged_in: false,
        method: "none",
        token_file: ref.path,
        expires_at: null,
        expires_in_seconds: null,
        refreshable: false,
        account: null,
        error: (error as Error).message,
      };
    }
    return accountView(ref, kind, auth);
  });
}
