import * as v from "valibot";
import type { Config } from "../config/load.ts";
import type { StoredTokens } from "./store.ts";

import type { Fetch } from "../shared/http.ts";
import { UserError } from "../shared/errors.ts";
import { describeIssue } from "../shared/issues.ts";
import { describeNetworkError } from "../shared/network-error.ts";

/**
 * Why a token-endpoint call failed:
 * - "rejected": the grant is dead (invalid_grant and other 4xx) — the user must log in again;
 * - "unavailable": network failure, 403 bot challenge, 429 or 5xx — try again later;
 * - "malformed": the endpoint answered 200 with something that is not a token response.
 */
export class OAuthError extends UserError {
  override name = "OAuthError";
  constructor(
    readonly kind: "rejected" | "unavailable" | "malformed",
    message: string,
    /** The OAuth `error` code of the answer (`invalid_grant`, `invalid_scope`…), when it had one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

const TokenResponseSchema = v.looseObject({
  access_token: v.pipe(v.string(), v.nonEmpty()),
  refresh_token: v.optional(v.string()),
  expires_in: v.optional(v.number()),
  token_type: v.optional(v.string()),
  scope: v.optional(v.string()),
  account: v.optional(v.looseObject({ uuid: v.optional(v.string()), email_address: v.optional(v.string()) })),
  organization: v.optional(v.looseObject({ uuid: v.optional(v.string()), name: v.optional(v.string()) })),
});

const ErrorResponseSchema = v.looseObject({
  error: v.optional(v.union([v.string(), v.looseObject({ message: v.optional(v.string()), type: v.optional(v.string()) })])),
  error_description: v.optional(v.string()),
});

function describeError(status: number, text: string): { code?: string; why: string } {
  const parsed = v.safeParse(ErrorResponseSchema, safeJson(text));
  if (!parsed.success) return { why: `HTTP ${status}` };
  const { error, error_description } = parsed.output;
  const code = typeof error === "string" ? error : error?.type;
  const detail = error_description ?? (typeof error === "object" ? error.message : undefined);
  return { code, why: [code, detail].filter(Boolean).join(": ") || `HTTP ${status}` };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function postTokenEndpoint(
  fetch: Fetch,
  oauth: Config["oauth"],
  body: Record<string, string>,
  previous?: StoredTokens,
): Promise<StoredTokens> {
  let response: Response;
  try {
    response = await fetch(oauth.token_url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new OAuthError(
      "unavailable",
      `cannot reach the token endpoint ${oauth.token_url}: ${describeNetworkError(error, oauth.token_url)}`,
    );
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) {
    const { code, why } = describeError(response.status, text);
    const transient = response.status === 403 || response.status === 408 || response.status === 429 || response.status >= 500;
    throw new OAuthError(transient ? "unavailable" : "rejected", `token endpoint answered ${response.status} (${why})`, code);
  }
  const parsed = v.safeParse(TokenResponseSchema, safeJson(text));
  if (!parsed.success) {
    throw new OAuthError(
      "malformed",
      `token endpoint answered 200 without a usable token (${describeIssue(parsed.issues[0], "the answer")})`,
    );
  }
  const token = parsed.output;
  return {
    access_token: token.access_token,
    // Refresh tokens rotate; a response without one means the old one stays valid.
    refresh_token: token.refresh_token ?? previous?.refresh_token ?? null,
    expires_at: token.expires_in === undefined ? null : Math.floor(Date.now() / 1000) + token.expires_in,
    token_type: token.token_type ?? "Bearer",
    ...(token.scope ? { scopes: token.scope } : previous?.scopes ? { scopes: previous.scopes } : {}),
    ...(token.account ? { account: token.account } : previous?.account ? { account: previous.account } : {}),
    ...(token.organization ? { organization: token.organization } : previous?.organization ? { organization: previous.organization } : {}),
    ...keptAcrossRefresh(previous),
  };
}

/**
 * Facts about a login that a token response does not repeat, kept from the previous token file entry: the client the
 * tokens were issued to (an import from Claude Code may carry its own), where the login came from, and the plan.
 */
const KEPT_ACROSS_REFRESH = ["client_id", "source", "subscription_type", "rate_limit_tier"] as const;

function keptAcrossRefresh(previous: StoredTokens | undefined): Record<string, unknown> {
  if (!previous) return {};
  return Object.fromEntries(KEPT_ACROSS_REFRESH.filter((key) => previous[key] !== undefined).map((key) => [key, previous[key]]));
}

/**
 * The `scope` of a refresh request: the `user:*` scopes among the configured login scopes, in their order (with the
 * defaults, exactly the five Claude Code 2.1.332 sends on every refresh; `org:create_api_key` is only asked for at
 * login). Derived from `oauth.scopes` rather than kept as a second list so that a user who overrides the login scopes
 * never asks on refresh for a scope their login was not granted — the token endpoint refuses that (400
 * invalid_scope). Undefined (no `scope` sent: the endpoint keeps the original grant) when none is configured.
 */
export function refreshScope(loginScopes: string): string | undefined {
  const user = loginScopes.split(/\s+/).filter((scope) => scope.startsWith("user:"));
  return user.length > 0 ? user.join(" ") : undefined;
}

/** The client id a stored login refreshes with: its own (an import from Claude Code records one), else the configured. */
export function clientIdFor(tokens: StoredTokens, oauth: Config["oauth"]): string {
  return typeof tokens.client_id === "string" && tokens.client_id !== "" ? tokens.client_id : oauth.client_id;
}

/** The JSON body of a refresh request, as Claude Code sends it. */
export function refreshRequestBody(oauth: Config["oauth"], current: StoredTokens & { refresh_token: string }): Record<string, string> {
  const scope = refreshScope(oauth.scopes);
  return {
    grant_type: "refresh_token",
    refresh_token: current.refresh_token,
    client_id: clientIdFor(current, oauth),
    ...(scope ? { scope } : {}),
  };
}

/**
 * Spends a (single-use) refresh token for a new token pair. A login granted fewer scopes than a refresh asks for
 * (one made before the login scopes grew, e.g. by maximize before Dec 2026 or by another tool) is refused with 400
 * invalid_scope. It is asked once more without `scope`, which keeps the original grant: an OAuth error answer does not
 * spend the refresh token (and if it ever did, the second answer is the invalid_grant the caller would have had anyway).
 */
export async function refreshTokens(fetch: Fetch, oauth: Config["oauth"], current: StoredTokens & { refresh_token: string }) {
  const body = refreshRequestBody(oauth, current);
  try {
    return await postTokenEndpoint(fetch, oauth, body, current);
  } catch (error) {
    if (!(error instanceof OAuthError && error.code === "invalid_scope" && body.scope !== undefined)) throw error;
    const { scope: _dropped, ...withoutScope } = body;
    return postTokenEndpoint(fetch, oauth, withoutScope, current);
  }
}

/** Exchanges an authorization code (PKCE) for tokens. */
export function exchangeCode(fetch: Fetch, oauth: Config["oauth"], grant: { code: string; state: string; verifier: string }) {
  return postTokenEndpoint(fetch, oauth, {
    grant_type: "authorization_code",
    code: grant.code,
    state: grant.state,
    client_id: oauth.client_id,
    redirect_uri: oauth.redirect_uri,
    code_verifier: grant.verifier,
  });
}
