/**
 * The accounts a proxy serves with, and the choice of one per request (docs/ARCHITECTURE.md, "Several accounts").
 * It is an Upstream: routes send through it as they would through the upstream client. It picks an account (a pin
 * with `x-maximize-account`, the conversation's account, else the best one: choose.ts), sends with that account's
 * credentials, and when Anthropic refuses the request for a plan limit before anything reached the client, cools the
 * account down until the limit resets and sends once more with another. A login that turns out dead is skipped until
 * its file changes. The account files are looked at again at most once a second, so `maximize login --account x`
 * while serving adds the account.
 */
import { statSync } from "node:fs";
import { accountCredentials, DEFAULT_ACCOUNT, listAccounts, type AccountKind, type AccountRef } from "../auth/accounts.ts";
import { keepLoginAlive, type KeepAlive } from "../auth/keep-alive.ts";
import { apiKeyCredentials, type AuthStatus, type Credentials } from "../auth/tokens.ts";
import type { Config } from "../config/load.ts";
import { ApiError, AuthError } from "../shared/errors.ts";
import type { Fetch } from "../shared/http.ts";
import type { Logger } from "../shared/log.ts";
import { createLru } from "../shared/lru.ts";
import { WINDOW_LABELS, type PlanState } from "../plan/plan.ts";
import type { PlanTracker } from "../plan/tracker.ts";
import type { Upstream, UpstreamCall } from "../upstream/upstream.ts";
import { canServe, chooseAccount, earliestReturn, type Candidate } from "./choose.ts";
import { conversationKey } from "./conversation.ts";
import { bindingUtilization, stateOf, type AccountView } from "./view.ts";

/** The header a client pins an account with (a request from the proxy itself may pin with UpstreamCall.account). */
export const ACCOUNT_HEADER = "x-maximize-account";
/** How often the account files are looked at for new, removed or replaced accounts. */
const RESCAN_MS = 1000;
/** An account whose token endpoint could not be reached rests this long (other accounts serve meanwhile). */
const UNREACHABLE_COOLDOWN_MS = 30_000;
/** A plan refusal without a usable reset time cools the account this long. */
const DEFAULT_COOLDOWN_MS = 60_000;

interface Account extends Candidate {
  path: string;
  credentials: Credentials;
  /** The file as last seen (mtime, size, inode): a change means a new login, and forgives what was known. */
  stamp: string;
  coolingReason?: string;
  /** Why it cannot serve, until its file changes (a dead login). */
  unusableReason?: string;
  lastError?: { at: string; message: string };
  requests: number;
}

export interface AccountPool extends Upstream {
  /** Every account as it stands (for GET /accounts, the status page, `maximize accounts`). */
  views(): AccountView[];
  /** The first account's login, as `/auth/status` has always told it (the others: views()). */
  firstStatus(): AuthStatus;
  /** The account names, in listing order. */
  names(): string[];
  /** Keeps every Claude login fresh while serving (src/auth/keep-alive.ts), accounts added later too. */
  keepAlive(log: Logger): KeepAlive;
}

export interface PoolDeps {
  config: Config;
  /** The client of Anthropic's API; the pool gives it each call's account and credentials. */
  upstream: Upstream;
  /** For token refreshes. */
  fetch: Fetch;
  plan: PlanTracker;
  log: Logger;
  now?: () => number;
  onRefresh?: (account: string, outcome: "ok" | "failed", detail?: string) => void;
  /** A request sent with an account (after any failover). */
  onSent?: (account: string) => void;
  /** A request moved from one account to another (why: "plan_limit" | "login"). */
  onFailover?: (from: string, to: string, why: string) => void;
}

const fileStamp = (path: string): string => {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat ? `${stat.mtimeMs}:${stat.size}:${stat.ino}` : "";
  } catch {
    return "?";
  }
};

const clock = (ms: number) => new Date(ms).toISOString();

/** When a plan refusal ends: the unified reset, else retry-after, else a minute. */
function refusalEnds(headers: Headers, now: number): number {
  const reset = Number(headers.get("anthropic-ratelimit-unified-reset"));
  if (Number.isFinite(reset) && reset * 1000 > now) return reset * 1000;
  const retryAfter = Number(headers.get("retry-after"));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return now + retryAfter * 1000;
  return now + DEFAULT_COOLDOWN_MS;
}

/** A 429 that is the plan's limit (the unified status says rejected), not a passing throttle. */
const isPlanRefusal = (response: Response) =>
  response.status === 429 && response.headers.get("anthropic-ratelimit-unified-status") === "rejected";

/** The window that binds, in words ("5-hour"), from the representative claim. */
const claimLabel = (headers: Headers) => {
  const claim = headers.get("anthropic-ratelimit-unified-representative-claim");
  return claim ? (WINDOW_LABELS[claim] ?? claim.replaceAll("_", " ")) : "plan";
};

/**
 * Whether the plan's answer says requests now draw on extra usage (paid beyond the plan): a plan window used up
 * while requests are still allowed, or the overage claim binding. Then until when (the used-up windows' reset).
 */
export function extraUsageUntil(plan: PlanState | undefined, now: number): number | undefined {
  if (!plan || plan.status === "rejected") return undefined;
  const spent = Object.entries(plan.windows).filter(
    ([name, window]) => name !== "overage" && (window.status === "rejected" || window.utilization >= 1),
  );
  if (spent.length === 0 && plan.representative_claim !== "overage") return undefined;
  const resets = spent.map(([, window]) => Date.parse(window.resets_at ?? "")).filter((at) => Number.isFinite(at) && at > now);
  const planReset = Date.parse(plan.resets_at ?? "");
  if (resets.length > 0) return Math.max(...resets);
  return Number.isFinite(planReset) && planReset > now ? planReset : now + DEFAULT_COOLDOWN_MS;
}

export function createAccountPool(deps: PoolDeps): AccountPool {
  const { config, log } = deps;
  const now = deps.now ?? Date.now;
  const conversations = createLru<string>({ maxEntries: 20_000, ttlMs: 12 * 3600_000 });
  let accounts: Account[] = [];
  let scannedAt = Number.NEGATIVE_INFINITY;
  let keepAlives: Map<string, { credentials: Credentials; keepAlive: KeepAlive }> | undefined;
  let keepAliveLog: Logger | undefined;

  const build = (ref: AccountRef): Account => {
    const { kind, credentials } = accountCredentials(config, ref, deps.fetch, (outcome, detail) =>
      deps.onRefresh?.(ref.name, outcome, detail),
    );
    return { name: ref.name, path: ref.path, kind, credentials, stamp: fileStamp(ref.path), utilization: null, requests: 0 };
  };

  /** The accounts, re-listed when a second has passed: added, removed and replaced files are taken in. */
  const current = (): Account[] => {
    if (performance.now() - scannedAt < RESCAN_MS) return accounts;
    scannedAt = performance.now();
    if (config.api.anthropic_api_key) {
      // An API key in the config is the one account, as before accounts existed.
      if (accounts.length === 0) {
        const credentials = apiKeyCredentials(config.api.anthropic_api_key, config.storage.token_file);
        accounts = [
          {
            name: DEFAULT_ACCOUNT,
            path: config.storage.token_file,
            kind: "api_key",
            credentials,
            stamp: "",
            utilization: null,
            requests: 0,
          },
        ];
      }
      return accounts;
    }
    const known = new Map(accounts.map((account) => [account.name, account]));
    accounts = listAccounts(config).map((ref) => {
      const before = known.get(ref.name);
      if (!before || before.path !== ref.path) return build(ref);
      const stamp = fileStamp(ref.path);
      if (stamp === before.stamp) return before;
      // The file changed (a refresh, a new login, a key): a login known dead may live again. The plan's cooldown and
      // the single-flight state of the login stay (a refresh rewrites the file too).
      const rebuilt = build(ref);
      const { coolingUntil, coolingReason, lastError, requests } = before;
      const credentials = rebuilt.kind === before.kind ? before.credentials : rebuilt.credentials;
      const next: Account = { ...rebuilt, credentials, coolingUntil, coolingReason, lastError, requests };
      // Marking a login dead writes the file too: that is no new login.
      if (before.unusable && credentials.status().dead) {
        next.unusable = true;
        next.unusableReason = before.unusableReason;
      }
      return next;
    });
    if (keepAlives) syncKeepAlives();
    return accounts;
  };

  const syncKeepAlives = () => {
    if (!keepAlives || !keepAliveLog) return;
    const live = new Map(accounts.filter((account) => account.kind === "oauth").map((account) => [account.name, account.credentials]));
    for (const [name, running] of keepAlives) {
      if (live.get(name) === running.credentials) continue;
      running.keepAlive.stop();
      keepAlives.delete(name);
    }
    for (const [name, credentials] of live) {
      if (keepAlives.has(name)) continue;
      const label = accounts.length > 1 || name !== DEFAULT_ACCOUNT ? `Claude login (account ${name})` : "Claude login";
      keepAlives.set(name, { credentials, keepAlive: keepLoginAlive(credentials, keepAliveLog, undefined, label) });
    }
  };

  const refreshUtilization = (list: Account[]) => {
    for (const account of list) account.utilization = bindingUtilization(deps.plan.state(account.name));
  };

  const cool = (account: Account, until: number, reason: string) => {
    account.coolingUntil = until;
    account.coolingReason = reason;
  };

  /** Plan facts from the answer: a success ends a cooldown; with avoid_extra_usage, extra usage starts one. */
  const learn = (account: Account, response: Response) => {
    if (response.status < 400 && account.coolingUntil !== undefined && account.coolingReason?.startsWith("plan limit")) {
      account.coolingUntil = undefined;
      account.coolingReason = undefined;
    }
    if (!config.accounts.avoid_extra_usage || account.kind !== "oauth") return;
    const until = extraUsageUntil(deps.plan.state(account.name), now());
    if (until === undefined) return;
    if (account.coolingUntil === undefined || account.coolingUntil < until) {
      log.warn(
        `account ${account.name}: its plan limit is used up and requests would draw on extra usage; not used until ${clock(until)} (accounts.avoid_extra_usage)`,
      );
      cool(account, until, "extra usage (accounts.avoid_extra_usage)");
    }
  };

  /** What a failure to get or use an account's login means: skipped until its file changes, or for this request only. */
  const noteLoginFailure = (account: Account, error: AuthError) => {
    account.lastError = { at: new Date(now()).toISOString(), message: error.message };
    // The token endpoint is down: rest a while rather than have every request wait for it first.
    if (error.kind === "refresh_unavailable") {
      if (accounts.length > 1) cool(account, now() + UNREACHABLE_COOLDOWN_MS, "its token could not be refreshed");
      return;
    }
    if (account.unusableReason === undefined && accounts.length > 1) {
      log.warn(`account ${account.name}: ${error.message}; the other accounts carry on`);
    }
    account.unusable = true;
    account.unusableReason = error.message;
  };

  const allCooling = (list: Account[]): ApiError => {
    const at = now();
    const back = earliestReturn(list, at) as number;
    const seconds = Math.max(1, Math.ceil((back - at) / 1000));
    const each = list
      .filter((account) => !account.unusable)
      .map((account) => `${account.name} until ${clock(account.coolingUntil ?? at)} (${account.coolingReason ?? "cooling down"})`);
    return new ApiError(
      429,
      `every account is at a plan limit: ${each.join("; ")}. The first is back in ${seconds}s — retry then, or add an account (\`maximize login --account NAME\`)`,
      { type: "rate_limit_error", headers: { "retry-after": String(seconds) } },
    );
  };

  /** No account can serve and none is merely cooling: the reason of the first that failed. */
  const noneUsable = (list: Account[], failure: unknown): unknown => {
    if (failure) return failure;
    const reasons = list.map((account) => `${account.name}: ${account.unusableReason ?? "not usable"}`);
    return new AuthError(
      "login_dead",
      list.length === 1 ? (list[0]?.unusableReason ?? reasons[0] ?? "") : `no account can be used — ${reasons.join("; ")}`,
    );
  };

  const pinned = (list: Account[], call: UpstreamCall): Account | undefined => {
    const name = call.account ?? call.clientHeaders.get(ACCOUNT_HEADER) ?? undefined;
    if (name === undefined) return undefined;
    const account = list.find((candidate) => candidate.name === name);
    if (account) return account;
    throw new ApiError(
      400,
      `${ACCOUNT_HEADER}: there is no account named "${name.slice(0, 40)}" — this proxy has ${list.map((a) => a.name).join(", ")} (see \`maximize accounts\`)`,
      { type: "invalid_request_error" },
    );
  };

  async function sendWith(account: Account, call: UpstreamCall): Promise<Response> {
    const response = await deps.upstream.send({ ...call, account: account.name, credentials: account.credentials });
    account.requests += 1;
    deps.onSent?.(account.name);
    learn(account, response);
    return response;
  }

  return {
    async send(call) {
      const list = current();
      // A pin is obeyed as asked: no other account, even while it cools down (its answer says how it stands). A lone
      // account is asked too (Anthropic's own 429 says when its limit resets): only extra usage it must not spend
      // (accounts.avoid_extra_usage) stops it here.
      const only = list.length === 1 && !(list[0] as Account).coolingReason?.startsWith("extra usage") ? list[0] : undefined;
      const pin = pinned(list, call) ?? only;
      if (pin) {
        try {
          const response = await sendWith(pin, call);
          call.onAccount?.(pin.name);
          return response;
        } catch (error) {
          if (error instanceof AuthError) noteLoginFailure(pin, error);
          throw error;
        }
      }
      if (list.length > 1) refreshUtilization(list);
      const key = list.length > 1 ? conversationKey(call.clientHeaders, call.body) : undefined;
      const tried = new Set<string>();
      let refused: { account: Account; response: Response } | undefined;
      let failure: unknown;
      for (;;) {
        const at = now();
        const account = chooseAccount(list, {
          order: config.accounts.order,
          now: at,
          exclude: tried,
          sticky: key === undefined ? undefined : conversations.get(key),
        }) as Account | undefined;
        if (!account) {
          // Some account comes back when its plan resets: say when (an honest retry-after), else why none can serve.
          if (earliestReturn(list, at) !== undefined) throw allCooling(list);
          throw noneUsable(list, failure);
        }
        tried.add(account.name);
        let response: Response;
        try {
          response = await sendWith(account, call);
        } catch (error) {
          // Nothing reached the client: a login that cannot be used (dead, gone, endpoint down) passes to the next.
          if (!(error instanceof AuthError)) throw error;
          noteLoginFailure(account, error);
          failure ??= error;
          continue;
        }
        if (refused) deps.onFailover?.(refused.account.name, account.name, "plan_limit");
        else if (failure) deps.onFailover?.([...tried].at(-2) ?? "", account.name, "login");
        if (isPlanRefusal(response) && account.kind === "oauth") {
          const until = refusalEnds(response.headers, now());
          cool(account, until, `plan limit: ${claimLabel(response.headers)}`);
          // Once: a second refusal goes to the client as it is.
          if (!refused && list.length > 1) {
            const others = list.some((other) => !tried.has(other.name) && canServe(other, now()));
            if (others) {
              log.warn(
                `account ${account.name}: the ${claimLabel(response.headers)} limit is used up until ${clock(until)}; sending this request with another account`,
              );
              await response.body?.cancel().catch(() => {});
              refused = { account, response };
              continue;
            }
          }
        }
        if (key !== undefined) conversations.set(key, account.name);
        call.onAccount?.(account.name, refused?.account.name);
        return response;
      }
    },

    views(): AccountView[] {
      const list = current();
      const at = now();
      return list.map((account) => {
        const auth = account.credentials.status();
        const plan = deps.plan.state(account.name) ?? null;
        const cooling = account.coolingUntil !== undefined && account.coolingUntil > at;
        const state = account.unusable ? "dead" : cooling ? "cooling" : stateOf(auth);
        const error = account.unusableReason ?? auth.error;
        return {
          name: account.name,
          kind: account.kind as AccountKind,
          file: account.path,
          state,
          logged_in: auth.logged_in && !account.unusable,
          email: auth.account,
          expires_at: auth.expires_at,
          plan,
          utilization: bindingUtilization(plan),
          cooling_until: cooling ? clock(account.coolingUntil as number) : null,
          cooling_reason: cooling ? (account.coolingReason ?? null) : null,
          last_error: account.lastError ?? (error ? { at: new Date(at).toISOString(), message: error } : null),
          requests: account.requests,
        };
      });
    },

    names: () => current().map((account) => account.name),

    firstStatus: () => (current()[0] as Account).credentials.status(),

    keepAlive(keepLog) {
      keepAliveLog = keepLog;
      keepAlives ??= new Map();
      current();
      syncKeepAlives();
      return {
        stop() {
          for (const running of keepAlives?.values() ?? []) running.keepAlive.stop();
          keepAlives = undefined;
        },
      };
    },
  };
}
