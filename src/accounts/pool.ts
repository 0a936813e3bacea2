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
import { accountCredentials, DEFAULT_ACCOUNT, listAccounts, readApiKey, type AccountKind, type AccountRef } from "../auth/accounts.ts";
import { keepLoginAlive, type KeepAlive } from "../auth/keep-alive.ts";
import { apiKeyCredentials, type AuthStatus, type Credentials } from "../auth/tokens.ts";
import type { Config } from "../config/load.ts";
import { ApiError, AuthError } from "../shared/errors.ts";
import { statStamp } from "../shared/files.ts";
import type { Fetch } from "../shared/http.ts";
import type { Logger } from "../shared/log.ts";
import { createLru } from "../shared/lru.ts";
import { drawsExtraUsage, windowLabel, type PlanState } from "../plan/plan.ts";
import type { PlanTracker } from "../plan/tracker.ts";
import type { StreamOutcome } from "../upstream/stream-guard.ts";
import type { TokenUsage } from "../upstream/usage-meter.ts";
import { isPlanRefusal } from "../upstream/headers.ts";
import type { Upstream, UpstreamCall } from "../upstream/upstream.ts";
import { canServe, chooseAccount, earliestReturn, isCooling, type Candidate } from "./choose.ts";
import { conversationKey } from "./conversation.ts";
import { accountView, bindingUtilization, type AccountView } from "./view.ts";

/** The header a client pins an account with (a request from the proxy itself may pin with UpstreamCall.account). */
export const ACCOUNT_HEADER = "x-maximize-account";
/** How often the account files are looked at for new, removed or replaced accounts. */
const RESCAN_MS = 1000;
/** While serving, the files are looked at this often even with no traffic (a login added while idle is kept alive). */
const IDLE_RESCAN_MS = 5000;
/** An account whose token endpoint could not be reached rests this long (other accounts serve meanwhile). */
const UNREACHABLE_COOLDOWN_MS = 30_000;
/** A plan refusal without a usable reset time cools the account this long. */
const DEFAULT_COOLDOWN_MS = 60_000;

/** Why an account rests: its plan, extra usage it must not spend, or its token endpoint. */
type CoolingKind = "plan" | "extra_usage" | "token";

interface Account extends Candidate {
  path: string;
  credentials: Credentials;
  /** The file as last seen (mtime, size, inode): a change means a new login, and forgives a dead one. */
  stamp: string;
  coolingKind?: CoolingKind;
  coolingReason?: string;
  /** When the cooldown began (ms): an answer to a request sent before it says nothing about after. */
  cooledAt?: number;
  /** Why it cannot serve, until its file changes (a dead login). */
  unusableReason?: string;
  lastError?: { at: string; message: string };
  /** The last problem said in the log (each is said once). */
  said?: string;
  /** The rest (its start) already said in the log. */
  toldRest?: number;
  /** The plan state `utilization` was worked out from. */
  plan?: PlanState;
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
  /** A request sent upstream with an account (refused attempts, catalogue and usage reads included). */
  onSent?: (account: string) => void;
  /** A request moved from one account to another (why: "plan_limit" | "login"). */
  onFailover?: (from: string, to: string, why: string) => void;
}

/** An account file's stamp (shared/files.ts), or "?" when it cannot be looked at (reading it then says why). */
const fileStamp = (path: string): string => {
  try {
    return statStamp(statSync(path, { throwIfNoEntry: false }));
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

/** An answer that says the plan takes requests again. */
const planAllows = (response: Response) => {
  const status = response.headers.get("anthropic-ratelimit-unified-status");
  return response.status < 400 && (status === "allowed" || status === "allowed_warning");
};

/** The window that binds, in words ("5-hour"), from the representative claim. */
const claimLabel = (headers: Headers) => {
  const claim = headers.get("anthropic-ratelimit-unified-representative-claim");
  return claim ? windowLabel(claim) : "plan";
};

/** A model's own weekly window refuses that model only: the models it holds for ("opus" in the model ID). */
const MODEL_WINDOWS: Readonly<Record<string, string>> = { seven_day_opus: "opus", seven_day_sonnet: "sonnet" };

/**
 * Until when an account must not be used when extra usage may not be spent: its answers say the plan is used up and
 * extra usage pays (PROTOCOL §8) — until the plan resets.
 */
export function extraUsageUntil(plan: PlanState | undefined, now: number): number | undefined {
  if (!drawsExtraUsage(plan)) return undefined;
  const reset = Date.parse(plan?.resets_at ?? "");
  return Number.isFinite(reset) && reset > now ? reset : now + DEFAULT_COOLDOWN_MS;
}

/**
 * An attempt's end and usage, held until it is known whether its answer is the one returned: a refused attempt that
 * is dropped for another account must not end the client's stream or count its tokens.
 */
function heldCallbacks(call: UpstreamCall) {
  let decided: "keep" | "drop" | undefined;
  const pending: (() => void)[] = [];
  const hold = (run: () => void) => {
    if (decided === "keep") run();
    else if (decided === undefined) pending.push(run);
  };
  return {
    onEnd: (outcome: StreamOutcome, errorType?: string) => hold(() => call.onEnd?.(outcome, errorType)),
    onUsage: (usage: TokenUsage) => hold(() => call.onUsage?.(usage)),
    keep() {
      decided = "keep";
      for (const run of pending.splice(0)) run();
    },
    drop() {
      decided = "drop";
      pending.length = 0;
    },
  };
}

export function createAccountPool(deps: PoolDeps): AccountPool {
  const { config, log } = deps;
  const now = deps.now ?? Date.now;
  const conversations = createLru<string>({ maxEntries: 20_000, ttlMs: 12 * 3600_000 });
  let accounts: Account[] = [];
  let scannedAt = Number.NEGATIVE_INFINITY;
  let keepAlives: Map<string, { credentials: Credentials; keepAlive: KeepAlive }> | undefined;
  let keepAliveLog: Logger | undefined;
  const unknownOrder = new Set<string>();

  const credentialsFor = (ref: AccountRef) =>
    accountCredentials(config, ref, deps.fetch, (outcome, detail) => deps.onRefresh?.(ref.name, outcome, detail));

  const build = (ref: AccountRef): Account => {
    const { kind, credentials } = credentialsFor(ref);
    return { name: ref.name, path: ref.path, kind, credentials, stamp: fileStamp(ref.path), utilization: null, requests: 0 };
  };

  /** Says an account's problem once (until it changes); undefined: it works again. */
  const say = (account: Account, problem: string | undefined) => {
    if (problem === account.said) return;
    if (problem) log.warn(`account ${account.name}: ${problem}${accounts.length > 1 ? "; the other accounts carry on" : ""}`);
    else if (account.said) log.info(`account ${account.name}: its login works again`);
    account.said = problem;
  };

  /**
   * The file changed (a refresh, a new login, a key): the same account object is updated, so what requests in flight
   * note on it (a cooldown, a count) is kept. A login known dead may live again.
   */
  const update = (account: Account, ref: AccountRef, stamp: string) => {
    account.stamp = stamp;
    const kind: AccountKind = readApiKey(ref.path) === undefined ? "oauth" : "api_key";
    // A login keeps its credentials (their single-flight refresh state); a key is read at build: a new one, a rebuild.
    if (kind !== account.kind || kind === "api_key") {
      const rebuilt = credentialsFor(ref);
      account.kind = rebuilt.kind;
      account.credentials = rebuilt.credentials;
    }
    account.unusable = undefined;
    account.unusableReason = undefined;
  };

  /** The accounts, re-listed when a second has passed: added, removed and replaced files are taken in. */
  const current = (): Account[] => {
    if (performance.now() - scannedAt < RESCAN_MS) return accounts;
    scannedAt = performance.now();
    if (config.api.anthropic_api_key) {
      // An API key in the config is the one account, as before accounts existed.
      if (accounts.length === 0) {
        const credentials = apiKeyCredentials(config.api.anthropic_api_key, config.storage.token_file);
        const path = config.storage.token_file;
        accounts = [{ name: DEFAULT_ACCOUNT, path, kind: "api_key", credentials, stamp: "", utilization: null, requests: 0 }];
      }
      return accounts;
    }
    const known = new Map(accounts.map((account) => [account.name, account]));
    accounts = listAccounts(config).map((ref) => {
      const before = known.get(ref.name);
      if (!before || before.path !== ref.path) return build(ref);
      const stamp = fileStamp(ref.path);
      if (stamp !== before.stamp) update(before, ref, stamp);
      return before;
    });
    for (const name of config.accounts.order) {
      if (unknownOrder.has(name) || accounts.some((account) => account.name === name)) continue;
      unknownOrder.add(name);
      log.warn(`accounts.order names "${name}", which is no account here (${accounts.map((a) => a.name).join(", ")}): it is skipped`);
    }
    if (keepAlives) syncKeepAlives();
    return accounts;
  };

  const syncKeepAlives = () => {
    if (!keepAlives || !keepAliveLog) return;
    const live = new Map(accounts.filter((account) => account.kind === "oauth").map((account) => [account.name, account]));
    for (const [name, running] of keepAlives) {
      if (live.get(name)?.credentials === running.credentials) continue;
      running.keepAlive.stop();
      keepAlives.delete(name);
    }
    for (const [name, account] of live) {
      if (keepAlives.has(name)) continue;
      // One account alone: the keep-alive's own words ("Claude login: …"), as before there were accounts.
      const alone = accounts.length === 1 && name === DEFAULT_ACCOUNT;
      const keepAlive = keepLoginAlive(
        account.credentials,
        keepAliveLog,
        undefined,
        alone ? undefined : (problem) => say(account, problem),
      );
      keepAlives.set(name, { credentials: account.credentials, keepAlive });
    }
  };

  /** Each account's headroom, worked out again only when its plan state is a new one (the tracker keeps it while unchanged). */
  const refreshUtilization = (list: Account[]) => {
    for (const account of list) {
      const plan = deps.plan.state(account.name);
      if (plan === account.plan) continue;
      account.plan = plan;
      account.utilization = bindingUtilization(plan);
    }
  };

  /** Starts a rest; a shorter one never replaces a longer one (a 30 s token rest must not end an extra-usage rest). */
  const cool = (account: Account, kind: CoolingKind, until: number, reason: string, scope?: string) => {
    if (isCooling(account, now()) && (account.coolingUntil as number) > until) return;
    account.coolingUntil = until;
    account.coolingKind = kind;
    account.coolingReason = reason;
    account.coolingFor = scope;
    account.cooledAt = now();
  };

  const uncool = (account: Account) => {
    account.coolingUntil = undefined;
    account.coolingKind = undefined;
    account.coolingReason = undefined;
    account.coolingFor = undefined;
    account.cooledAt = undefined;
  };

  /**
   * Plan facts from an answer: one sent after a plan cooldown began that says the plan allows again ends it; with
   * avoid_extra_usage, an answer billed as extra usage starts one.
   */
  const learn = (account: Account, response: Response, sentAt: number, model: string | undefined) => {
    // A model's own window (Opus, Sonnet) is not ended by an answer for another model: those are allowed all along.
    const covers = account.coolingFor === undefined || (model ?? "").includes(account.coolingFor);
    if (account.coolingKind === "plan" && covers && sentAt >= (account.cooledAt ?? 0) && planAllows(response)) uncool(account);
    if (isPlanRefusal(response) && account.kind === "oauth") {
      const claim = response.headers.get("anthropic-ratelimit-unified-representative-claim") ?? "";
      const scope = MODEL_WINDOWS[claim];
      const label = claimLabel(response.headers);
      cool(account, "plan", refusalEnds(response.headers, now()), `plan limit: ${label}${scope ? ` (${scope} models only)` : ""}`, scope);
    }
    if (!config.accounts.avoid_extra_usage || account.kind !== "oauth") return;
    const until = extraUsageUntil(deps.plan.state(account.name), now());
    if (until === undefined || (account.coolingUntil ?? 0) >= until) return;
    log.warn(
      `account ${account.name}: its plan limit is used up and its requests now draw on extra usage; not used until ${clock(until)} (accounts.avoid_extra_usage)`,
    );
    cool(account, "extra_usage", until, "would draw on extra usage (accounts.avoid_extra_usage)");
  };

  /** A cooldown for extra usage holds only while the setting asks for it (a reload may turn it off). */
  const forgiveExtraUsage = (list: Account[]) => {
    if (config.accounts.avoid_extra_usage) return;
    for (const account of list) if (account.coolingKind === "extra_usage") uncool(account);
  };

  /** What a failure to get or use an account's login means: skipped until its file changes, or a short rest. */
  const noteLoginFailure = (account: Account, error: AuthError) => {
    account.lastError = { at: new Date(now()).toISOString(), message: error.message };
    // The token endpoint is down: rest a while rather than have every request wait for it first.
    if (error.kind === "refresh_unavailable") {
      if (accounts.length > 1) cool(account, "token", now() + UNREACHABLE_COOLDOWN_MS, "its token could not be refreshed");
      return;
    }
    if (accounts.length > 1) say(account, error.message);
    account.unusable = true;
    account.unusableReason = error.message;
    // Marking a login dead writes its file: that write is no new login.
    account.stamp = fileStamp(account.path);
  };

  /** No account can take the request now, but some come back: when, and why each rests. */
  const noneNow = (list: Account[], model: string | undefined): ApiError => {
    const at = now();
    const back = earliestReturn(list, at, model) as number;
    const seconds = Math.max(1, Math.ceil((back - at) / 1000));
    const resting = list.filter((account) => !account.unusable && isCooling(account, at, model));
    const each = resting.map((account) => `${account.name} until ${clock(account.coolingUntil as number)} (${account.coolingReason})`);
    const dead = list.filter((account) => account.unusable).map((account) => `${account.name} (login not usable)`);
    // The status follows the account that comes back first: its plan (429, as Anthropic's own) or its token endpoint.
    const first = resting.find((account) => account.coolingUntil === back);
    const planOnly = first?.coolingKind !== "token";
    const what = list.length === 1 ? "the account cannot take requests now" : "no account can take requests now";
    const message = `${what}: ${[...each, ...dead].join("; ")}. The first is back in ${seconds}s — retry then${
      planOnly ? ", or add an account (`maximize login --account NAME`)" : ""
    }`;
    // A plan limit is a 429, as Anthropic's own; a token endpoint that is down is maximize's trouble, a 503.
    return planOnly
      ? new ApiError(429, message, { type: "rate_limit_error", headers: { "retry-after": String(seconds) } })
      : new ApiError(503, message, { type: "api_error", headers: { "retry-after": String(seconds) } });
  };

  /** No account can serve and none is merely resting: the reason of the first that failed. */
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
    const sentAt = now();
    const response = await deps.upstream.send({ ...call, account: account.name, credentials: account.credentials });
    account.requests += 1;
    deps.onSent?.(account.name);
    learn(account, response, sentAt, typeof call.body?.model === "string" ? call.body.model : undefined);
    return response;
  }

  /** One account, no choice: a pin, or the only account there is. */
  async function sendOnly(account: Account, call: UpstreamCall): Promise<Response> {
    try {
      const response = await sendWith(account, call);
      call.onAccount?.(account.name);
      return response;
    } catch (error) {
      if (error instanceof AuthError) noteLoginFailure(account, error);
      throw error;
    }
  }

  return {
    async send(call) {
      const list = current();
      forgiveExtraUsage(list);
      // A pin is obeyed as asked: no other account, even while it cools down (its answer says how it stands). A lone
      // account is asked too (Anthropic's own 429 says when its limit resets): only extra usage it must not spend
      // (accounts.avoid_extra_usage) stops it here.
      const pin = pinned(list, call);
      // Extra usage is not spent, not even for a pin, while accounts.avoid_extra_usage says so.
      if (pin?.coolingKind === "extra_usage" && isCooling(pin, now())) throw noneNow([pin], undefined);
      if (pin) return sendOnly(pin, call);
      const lone = list.length === 1 ? (list[0] as Account) : undefined;
      if (lone && !(lone.coolingKind === "extra_usage" && isCooling(lone, now()))) return sendOnly(lone, call);

      if (list.length > 1) refreshUtilization(list);
      const model = typeof call.body?.model === "string" ? call.body.model : undefined;
      const key = list.length > 1 ? conversationKey(call.clientHeaders, call.body) : undefined;
      const tried = new Set<string>();
      let refused: Account | undefined;
      let failed: { account: Account; error: unknown } | undefined;
      for (;;) {
        const at = now();
        const account = chooseAccount(list, {
          order: config.accounts.order,
          now: at,
          model,
          exclude: tried,
          sticky: key === undefined ? undefined : conversations.get(key),
        }) as Account | undefined;
        if (!account) {
          // Some account comes back (its plan resets, its token endpoint is tried again): say when; else why none can.
          if (earliestReturn(list, at, model) !== undefined) throw noneNow(list, model);
          throw noneUsable(list, failed?.error);
        }
        tried.add(account.name);
        const more = () => list.some((other) => !tried.has(other.name) && canServe(other, now(), model));
        const held = heldCallbacks(call);
        let response: Response;
        try {
          // A plan refusal that another account will take over is the pool's to say, not the upstream client's.
          const quiet = !refused && more();
          response = await sendWith(account, { ...call, onEnd: held.onEnd, onUsage: held.onUsage, quietPlanRefusal: quiet });
        } catch (error) {
          held.drop();
          // Nothing reached the client: a login that cannot be used (dead, gone, endpoint down) passes to the next.
          if (!(error instanceof AuthError)) throw error;
          noteLoginFailure(account, error);
          failed ??= { account, error };
          continue;
        }
        // A long-lived token the API refused (its status now says so): nothing reached the client, another may serve.
        if (response.status === 401 && account.kind === "oauth" && account.credentials.status().dead && more()) {
          held.drop();
          await response.body?.cancel().catch(() => {});
          noteLoginFailure(account, new AuthError("login_dead", account.credentials.status().error ?? "login refused"));
          failed ??= { account, error: undefined };
          continue;
        }
        if (isPlanRefusal(response) && account.kind === "oauth" && !refused && more()) {
          // Once: a second refusal goes to the client as it is. Said once per rest, not once per request.
          if (account.toldRest !== account.cooledAt) {
            log.warn(
              `account ${account.name}: the ${claimLabel(response.headers)} limit is used up until ${clock(account.coolingUntil ?? now())}; requests go to the other accounts meanwhile`,
            );
            account.toldRest = account.cooledAt;
          }
          held.drop();
          await response.body?.cancel().catch(() => {});
          refused = account;
          continue;
        }
        held.keep();
        if (refused) deps.onFailover?.(refused.name, account.name, "plan_limit");
        else if (failed) deps.onFailover?.(failed.account.name, account.name, "login");
        if (key !== undefined) conversations.set(key, account.name);
        call.onAccount?.(account.name, refused?.name);
        return response;
      }
    },

    views(): AccountView[] {
      const list = current();
      forgiveExtraUsage(list);
      const at = now();
      return list.map((account) => {
        const auth = account.credentials.status();
        const plan = deps.plan.state(account.name) ?? null;
        const cooling = account.coolingUntil !== undefined && account.coolingUntil > at;
        const error = account.unusableReason ?? auth.error;
        return accountView(
          account,
          account.kind,
          auth,
          {
            ...(account.unusable ? { state: "dead", logged_in: false } : cooling ? { state: "cooling" } : {}),
            plan,
            utilization: bindingUtilization(plan),
            ...(cooling ? { cooling_until: clock(account.coolingUntil as number), cooling_reason: account.coolingReason ?? null } : {}),
            last_error: account.lastError ?? (error ? { at: new Date(at).toISOString(), message: error } : null),
            requests: account.requests,
          },
          at,
        );
      });
    },

    names: () => current().map((account) => account.name),

    firstStatus: () => (current()[0] as Account).credentials.status(),

    keepAlive(keepLog) {
      keepAliveLog = keepLog;
      keepAlives ??= new Map();
      current();
      syncKeepAlives();
      // With no traffic the files are still looked at: a login added while idle is kept alive too.
      const rescan = setInterval(current, IDLE_RESCAN_MS);
      rescan.unref?.();
      return {
        stop() {
          clearInterval(rescan);
          for (const running of keepAlives?.values() ?? []) running.keepAlive.stop();
          keepAlives = undefined;
        },
      };
    },
  };
}
