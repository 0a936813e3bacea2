import { statSync } from "node:fs";
import type { Config } from "../config/load.ts";
import { AuthError, notLoggedIn } from "../shared/errors.ts";
import { withFileLock } from "./lock.ts";
import { OAuthError, refreshTokens } from "./oauth.ts";
import type { Fetch } from "../shared/http.ts";
import { TokenFileError, type StoredTokens, type TokenStore } from "./store.ts";

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
}

export interface Credentials {
  /** Credential for the next upstream request. */
  get(): Promise<UpstreamCredential>;
  /**
   * A replacement for a credential upstream just refused with 401, or undefined when a retry cannot help
   * (an API key, or a token this process refreshed moments ago: refreshing again would only burn refresh tokens).
   */
  renew(rejected: UpstreamCredential): Promise<UpstreamCredential | undefined>;
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
export function apiKeyCredentials(key: string, tokenFile: string): Credentials {
  const credential: UpstreamCredential = { headers: { "x-api-key": key }, oauth: false };
  return {
    get: async () => credential,
    renew: async () => undefined,
    refresh: () =>
      Promise.reject(
        new AuthError(
          "not_refreshable",
          "maximize is using an Anthropic API key (MAXIMIZE_ANTHROPIC_API_KEY): there is no login token to refresh",
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

  const stamp = () => {
    const stat = statSync(store.path, { throwIfNoEntry: false });
    return stat ? `${stat.mtimeMs}:${stat.size}:${stat.ino}` : "";
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
  const fresh = (tokens: StoredTokens) => secondsLeft(tokens) > REFRESH_LEAD_SECONDS;
  const usable = (tokens: StoredTokens) => secondsLeft(tokens) > 5;

  const readOrExplain = (fromDisk = false): StoredTokens | undefined => {
    try {
      return load(fromDisk);
    } catch (error) {
      if (error instanceof TokenFileError) throw new AuthError("token_file", error.message);
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
      if (!refreshToken) {
        throw new AuthError(
          "not_refreshable",
          "this Claude login has no refresh token (a long-lived token from `claude setup-token`), so it cannot be renewed: when it has expired or was rejected, make a new one with `claude setup-token` and `maximize login --token …`, or run `maximize login`",
        );
      }
      try {
        const next = await refreshTokens(fetch, config.oauth, { ...onDisk, refresh_token: refreshToken });
        // The old refresh token is spent now: keep the new pair in memory even if it cannot be saved.
        cached = next;
        lastRefresh = { token: next.access_token, at: now() };
        try {
          store.write(next);
          cachedStamp = stamp();
          onRefresh?.("ok");
        } catch (error) {
          onRefresh?.(
            "failed",
            `the new token could not be saved to ${store.path} (${(error as Error).message}); this process keeps using it, but fix the file's permissions or disk space before restarting`,
          );
        }
        return next;
      } catch (error) {
        onRefresh?.("failed", (error as Error).message);
        if (error instanceof OAuthError && error.kind === "rejected") {
          // An imported login shares one rotating refresh token with Claude Code, which may have spent it.
          const next =
            onDisk.source === "claude-code"
              ? "run `maximize login`, or `claude` and then `maximize login --import-claude-code` (this login was imported from Claude Code, which may have refreshed it since)"
              : "run `maximize login`";
          throw new AuthError("login_dead", `the Claude login has expired or was revoked (${error.message}): ${next}`);
        }
        if (error instanceof OAuthError) {
          throw new AuthError(
            "refresh_unavailable",
            `could not refresh the Claude token: ${error.message}. The token endpoint may be down; try again shortly`,
          );
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

  async function renew(rejected: UpstreamCredential): Promise<UpstreamCredential | undefined> {
    const token = rejected.headers.authorization?.slice("Bearer ".length);
    if (token === undefined) return undefined;
    const tokens = readOrExplain();
    if (!tokens) throw notLoggedIn();
    // Someone refreshed since this token went out: the new one has not been refused yet.
    if (tokens.access_token !== token && usable(tokens)) return bearer(tokens.access_token);
    if (lastRefresh?.token === token && now() - lastRefresh.at < RENEW_COOLDOWN_MS) return undefined;
    return bearer((await refreshOnce(token)).access_token);
  }

  async function get(): Promise<UpstreamCredential> {
    const tokens = readOrExplain();
    if (!tokens) throw notLoggedIn();
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
    async refresh() {
      const tokens = readOrExplain();
      if (!tokens) throw notLoggedIn(); // before the lock: with no login there may be no folder to lock in
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
      return {
        ...base,
        logged_in: true,
        method: "oauth",
        expires_at: tokens.expires_at ?? null,
        expires_in_seconds: Number.isFinite(left) ? Math.round(left) : null,
        refreshable: Boolean(tokens.refresh_token),
        account: account?.email_address ?? null,
      };
    },
  };
}
