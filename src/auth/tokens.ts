import { statSync } from "node:fs";
import type { Config } from "../config/load.ts";
import { AuthError, notLoggedIn } from "../shared/errors.ts";
import { withFileLock } from "./lock.ts";
import { OAuthError, refreshTokens } from "./oauth.ts";
import type { Fetch } from "../shared/http.ts";
import { attempt, FileError, statStamp } from "../shared/files.ts";
import { besideTokenFile, TokenFileError, type StoredTokens, type TokenStore } from "./store.ts";

/** Refresh this long before expiry, so no request ever goes out with a token about to die. */
export const REFRESH_LEAD_SECONDS = 300;
/** How often the token file is looked at for changes made by other processes. */
const STAT_INTERVAL_MS = 1000;
/** A token refreshed less than this long ago that upstream refuses is not refreshed again. */
export const RENEW_COOLDOWN_MS = 60_000;

export interface UpstreamCredential {
  /** Headers that authorize one upstream request. */
  headers: Record<string, string>;
  /** OAuth (subscription) credentials need the Claude Code request shaping; API keys do not. */
  oauth: boolean;
}

export interface AuthStatus {
  logged_in: boolean;
  method: "oauth" | "api_key" | "none";
  token_file: string;
  expires_at: number | null;
  expires_in_seconds: number | null;
  refreshable: boolean;
  account: string | null;
  error?: string;
  /** The login itself is dead or refused (error says why and what to do): not a passing problem. */
  dead?: boolean;
}

export interface Credentials {
  /** Credential for the next upstream request. */
  get(): Promise<UpstreamCredential>;
  /**
   * A replacement for a credential upstream just refused with 401, or undefined when a retry cannot help
   * (an API key, or a token this process refreshed moments ago: refreshing again would only burn refresh tokens).
   */
  renew(rejected: UpstreamCredential, why?: string): Promise<UpstreamCredential | undefined>;
  /** Upstream accepted a request with this credential (any answer but 401): a remembered refusal of it is over. */
  confirm?(accepted: UpstreamCredential): void;
  /** Force a refresh now (the `maximize refresh` command). */
  refresh(): Promise<StoredTokens>;
  status(): AuthStatus;
}

const bearer = (token: string): UpstreamCredential => ({ headers: { authorization: `Bearer ${token}` }, oauth: true });

/**
 * Credentials for one token that is not stored (yet): `maximize login --token` asks the API with it before
 * writing it to the token file. Nothing to refresh, so a 401 is final.
 */
export function givenTokenCredentials(token: string, tokenFile: string): Credentials {
  const credential = bearer(token);
  return {
    get: async () => credential,
    renew: async () => undefined,
    refresh: () => Promise.reject(new AuthError("not_refreshable", "a long-lived token has no refresh token: there is nothing to refresh")),
    status: () => ({
      logged_in: false,
      method: "oauth",
      token_file: tokenFile,
      expires_at: null,
      expires_in_seconds: null,
      refreshable: false,
      account: null,
    }),
  };
}

interface Deps {
  config: Config;
  store: TokenStore;
  fetch: Fetch;
  now?: () => number;
  onRefresh?: (outcome: "ok" | "failed", detail?: string) => void;
}

/** Credentials from a plain Anthropic API key: nothing to refresh. */
export function apiKeyCredentials(key: string, tokenFile: string, account?: string): Credentials {
  const credential: UpstreamCredential = { headers: { "x-api-key": key }, oauth: false };
  return {
    get: async () => credential,
    renew: async () => undefined,
    refresh: () =>
      Promise.reject(
        new AuthError(
          "not_refreshable",
          account
            ? `account "${account}" is an Anthropic API key: there is no login token to refresh`
            : "maximize is using an Anthropic API key (MAXIMIZE_ANTHROPIC_API_KEY): there is no login token to refresh",
        ),
      ),
    status: () => ({
      logged_in: true,
      method: "api_key",
      token_file: tokenFile,
      expires_at: null,
      expires_in_seconds: null,
      refreshable: false,
      account: null,
    }),
  };
}

const renewLongLived = "make a new one with `claude setup-token` and `maximize login --token …`, or run `maximize login`";
const noRefreshToken = `has no refresh token (a long-lived token from \`claude setup-token\`), so it cannot be renewed: ${renewLongLived}`;
const expiredLongLivedMessage = `login expired — this long-lived Claude token has passed its expiry: ${renewLongLived}`;
const refusedLongLivedMessage = `login refused — the API answered 401 to this long-lived Claude token (revoked, or mistyped when it was stored?): ${renewLongLived}.`;

/** What to say about a login the token endpoint refused; an imported one may have been refreshed by Claude Code since. */
function deadMessage(tokens: StoredTokens, why = tokens.login_dead?.reason): string {
  const next =
    tokens.source === "claude-code"
      ? "run `maximize login`, or `claude` and then `maximize login --import-claude-code` (this login was imported from Claude Code, which may have refreshed it since)"
      : "run `maximize login`";
  return `login expired or revoked${why ? ` (${why})` : ""} — ${next}`;
}

/**
 * OAuth credentials from the token file. Hands out the access token only while valid, refreshes it
 * proactively, and refreshes single-flight: any number of concurrent callers share one token-endpoint call.
 * The file is re-read when it changes on disk (looked at no more than once a second, so a `maximize login`
 * elsewhere takes effect within a second) and always right before refreshing, under a lock, since another
 * process may have refreshed already.
 */
export function oauthCredentials({ config, store, fetch, now = Date.now, onRefresh }: Deps): Credentials {
  let cached: StoredTokens | undefined;
  let cachedStamp = "";
  let inflight: Promise<StoredTokens> | undefined;
  let lastRefresh: { token: string; at: number } | undefined;
  /** Why the last refresh could not be made (the endpoint down, not the login dead); cleared by the next success. */
  let unavailable: string | undefined;

  const stamp = () => {
    return statStamp(attempt("read", store.path, besideTokenFile("the token file"), () => statSync(store.path, { throwIfNoEntry: false })));
  };

  let checkedAt = Number.NEGATIVE_INFINITY;
  /** The tokens, from memory unless the file changed. `fromDisk`: look now, whatever the interval. */
  const load = (fromDisk = false): StoredTokens | undefined => {
    // A stat per request is measurable under load (BENCHMARKS.md); once a second is prompt enough.
    if (!fromDisk && cached && performance.now() - checkedAt < STAT_INTERVAL_MS) return cached;
    checkedAt = performance.now();
    const current = stamp();
    if (current !== cachedStamp || !current) {
      cached = store.read();
      cachedStamp = current;
    }
    return cached;
  };

  const secondsLeft = (tokens: StoredTokens) => (tokens.expires_at == null ? Number.POSITIVE_INFINITY : tokens.expires_at - now() / 1000);
  const usable = (tokens: StoredTokens) => secondsLeft(tokens) > 5;
  // A token this process got less than a minute ago counts as fresh while it works: a login whose tokens live
  // shorter than the refresh lead would otherwise be refreshed on every request.
  const justRefreshed = (tokens: StoredTokens) =>
    lastRefresh?.token === tokens.access_token && now() - lastRefresh.at < RENEW_COOLDOWN_MS && usable(tokens);
  const fresh = (tokens: StoredTokens) => secondsLeft(tokens) > REFRESH_LEAD_SECONDS || justRefreshed(tokens);
  /**
   * A refresh token the token endpoint refused for a reason other than invalid_grant (a wrong oauth.client_id or
   * oauth.scopes): known to this process only (maybe the config, not the login), and it stops asking until the login
   * or the config changes. Keyed by the token, so a new login clears it.
   */
  let refusedRefresh: { token: string; message: string } | undefined;
  /**
   * A long-lived token the API answered 401: said by status() only — a 401 can also come from one request's shape
   * (a missing oauth beta), so requests are not blocked. The next accepted request clears it (confirm()).
   */
  let refusedAccess: { token: string; message: string } | undefined;

  /**
   * Records that this login is dead (in the file, for other processes too) and returns the error to throw. The file
   * is read again first: if another process replaced the login meanwhile, theirs is kept and nothing is marked.
   */
  const markDead = (tokens: StoredTokens, reason: string, message: string): AuthError => {
    let current: StoredTokens | undefined;
    try {
      current = store.read();
    } catch {
      current = undefined;
    }
    if (current?.access_token !== tokens.access_token || current?.refresh_token !== tokens.refresh_token) {
      return new AuthError("login_dead", message);
    }
    const marked = { ...current, login_dead: { at: Math.floor(now() / 1000), reason } };
    cached = marked;
    try {
      store.write(marked);
      cachedStamp = stamp();
    } catch {
      // Cannot record it: this process still knows (cached), others learn it from their own refusal.
    }
    return new AuthError("login_dead", message);
  };

  const deadError = (tokens: StoredTokens): AuthError | undefined => {
    if (tokens.login_dead) return new AuthError("login_dead", deadMessage(tokens));
    if (refusedRefresh && refusedRefresh.token === tokens.refresh_token) return new AuthError("login_dead", refusedRefresh.message);
    if (!tokens.refresh_token && secondsLeft(tokens) <= 0) return new AuthError("login_dead", expiredLongLivedMessage);
    return undefined;
  };

  const readOrExplain = (fromDisk = false): StoredTokens | undefined => {
    try {
      return load(fromDisk);
    } catch (error) {
      if (error instanceof TokenFileError || error instanceof FileError) throw new AuthError("token_file", error.message);
      throw error;
    }
  };

  async function refreshLocked(rejectedToken: string | undefined): Promise<StoredTokens> {
    return withFileLock(store.path, async () => {
      const onDisk = readOrExplain(true);
      if (!onDisk) throw notLoggedIn();
      // Another process (or an earlier flight) already replaced the token: use theirs.
      if (onDisk.access_token !== rejectedToken && fresh(onDisk)) return onDisk;
      const refreshToken = onDisk.refresh_token;
      if (!refreshToken) throw new AuthError("not_refreshable", `this Claude login ${noRefreshToken}`);
      try {
        const next = await refreshTokens(fetch, config.oauth, { ...onDisk, refresh_token: refreshToken });
        // The old refresh token is spent now: keep the new pair in memory even if it cannot be saved.
        cached = next;
        lastRefresh = { token: next.access_token, at: now() };
        unavailable = undefined;
        try {
          store.write(next);
          cachedStamp = stamp();
          onRefresh?.("ok");
        } catch (error) {
          onRefresh?.(
            "failed",
            `the refreshed token could not be saved: ${(error as Error).message}. This process keeps using it, but it is lost on restart until that is fixed`,
          );
        }
        return next;
      } catch (error) {
        onRefresh?.("failed", (error as Error).message);
        // invalid_grant: the refresh token itself is dead (revoked, spent, expired). Recorded for every process.
        if (error instanceof OAuthError && error.kind === "rejected" && error.code === "invalid_grant") {
          throw markDead(onDisk, error.message, deadMessage(onDisk, error.message));
        }
        // Refused for another reason (invalid_client, invalid_scope, a 404 from a mistyped URL): maybe the config,
        // not the login. Not written down; this process stops asking until the login or the config changes.
        if (error instanceof OAuthError && error.kind === "rejected") {
          refusedRefresh = {
            token: refreshToken,
            message: `the token endpoint refused to refresh the Claude login (${error.message}): check oauth.token_url, oauth.client_id and oauth.scopes in your config; if they are right, run \`maximize login\``,
          };
          throw new AuthError("login_dead", refusedRefresh.message);
        }
        if (error instanceof OAuthError) {
          unavailable = `could not refresh the Claude token: ${error.message}. The token endpoint may be down; try again shortly`;
          throw new AuthError("refresh_unavailable", unavailable);
        }
        throw error;
      }
    });
  }

  function refreshOnce(rejectedToken: string | undefined): Promise<StoredTokens> {
    inflight ??= refreshLocked(rejectedToken).finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  async function renew(rejected: UpstreamCredential, why?: string): Promise<UpstreamCredential | undefined> {
    const token = rejected.headers.authorization?.slice("Bearer ".length);
    if (token === undefined) return undefined;
    const tokens = readOrExplain();
    if (!tokens) throw notLoggedIn();
    const dead = deadError(tokens);
    if (dead) throw dead;
    if (!tokens.refresh_token && tokens.access_token === token) {
      // Nothing can renew a long-lived token: the API's own 401 goes to the client, and status says what happened
      // (not written down: a 401 can also come from the request's shape, e.g. a missing oauth beta).
      refusedAccess = { token, message: `${refusedLongLivedMessage}${why ? ` The API said: ${why}` : ""}` };
      return undefined;
    }
    // Someone refreshed since this token went out: the new one has not been refused yet.
    if (tokens.access_token !== token && usable(tokens)) return bearer(tokens.access_token);
    if (lastRefresh?.token === token && now() - lastRefresh.at < RENEW_COOLDOWN_MS) return undefined;
    return bearer((await refreshOnce(token)).access_token);
  }

  async function get(): Promise<UpstreamCredential> {
    const tokens = readOrExplain();
    if (!tokens) throw notLoggedIn();
    // A login known dead fails at once: asking the token endpoint again would only be refused again.
    const dead = deadError(tokens);
    if (dead) throw dead;
    if (fresh(tokens)) return bearer(tokens.access_token);
    if (!tokens.refresh_token && usable(tokens)) return bearer(tokens.access_token);
    try {
      return bearer((await refreshOnce(undefined)).access_token);
    } catch (error) {
      // A proactive refresh that failed transiently must not take down a token that still works.
      if (error instanceof AuthError && error.kind === "refresh_unavailable" && usable(tokens)) return bearer(tokens.access_token);
      throw error;
    }
  }

  return {
    get,
    renew,
    confirm(accepted) {
      if (refusedAccess && accepted.headers.authorization === `Bearer ${refusedAccess.token}`) refusedAccess = undefined;
    },
    async refresh() {
      const tokens = readOrExplain();
      if (!tokens) throw notLoggedIn(); // before the lock: with no login there may be no folder to lock in
      // Asked, not refused: a long-lived token is fine as it is, there is just nothing to refresh.
      if (!tokens.refresh_token) throw new AuthError("not_refreshable", `this Claude login ${noRefreshToken}`);
      return refreshOnce(tokens.access_token);
    },
    status(): AuthStatus {
      const base = { token_file: store.path, refreshable: false, account: null, expires_at: null, expires_in_seconds: null };
      let tokens: StoredTokens | undefined;
      try {
        tokens = load();
      } catch (error) {
        return { ...base, logged_in: false, method: "none", error: (error as Error).message };
      }
      if (!tokens) return { ...base, logged_in: false, method: "none" };
      const account = tokens.account as { email_address?: string } | undefined;
      const left = secondsLeft(tokens);
      const refusedNow = refusedAccess?.token === tokens.access_token ? refusedAccess.message : undefined;
      const dead = deadError(tokens);
      // Still logged in, but while the token is expired and cannot be refreshed, requests fail: say why.
      const error = dead?.message ?? refusedNow ?? (unavailable && !usable(tokens) ? unavailable : undefined);
      return {
        ...base,
        logged_in: !dead && !refusedNow,
        ...(error ? { error } : {}),
        ...(dead || refusedNow ? { dead: true } : {}),
        method: "oauth",
        expires_at: tokens.expires_at ?? null,
        expires_in_seconds: Number.isFinite(left) ? Math.round(left) : null,
        refreshable: Boolean(tokens.refresh_token),
        account: account?.email_address ?? null,
      };
    },
  };
}
