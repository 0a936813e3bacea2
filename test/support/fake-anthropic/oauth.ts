/** The fake's OAuth side: token bookkeeping, the authorize page and the token endpoint. */
import { json, OAuthError } from "./errors.ts";
import { isRecord } from "./guards.ts";
import { randomBase64url, sha256 } from "./random.ts";
import type { TokenPair } from "./types.ts";

export const CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";
export const REDIRECT_URI = "https://platform.claude.com/oauth/code/callback";

/**
 * The authorize page's paths: `/cai/oauth/authorize` is the Claude Pro/Max login Claude Code uses since late 2026
 * (https://claude.com/cai/oauth/authorize), `/oauth/authorize` the older claude.ai one. The router sends both here.
 */
export const AUTHORIZE_PATHS: readonly string[] = ["/cai/oauth/authorize", "/oauth/authorize"];
export const isAuthorizePath = (path: string) => AUTHORIZE_PATHS.includes(path);

/** Scopes the authorize page knows; anything else is "Unknown scope" (as a mangled, line-wrapped URL gets). */
const KNOWN_SCOPES = new Set([
  "org:create_api_key",
  "user:profile",
  "user:inference",
  "user:sessions:claude_code",
  "user:mcp_servers",
  "user:file_upload",
]);

/**
 * What a Claude Pro/Max login grants: the `user:*` scopes asked for (`org:create_api_key` is the Console's API-key
 * permission and is not granted to a subscription login), sorted, as the token endpoint's `scope` lists them.
 */
export const grantedScopes = (asked: Iterable<string>) => [...new Set([...asked].filter((scope) => scope.startsWith("user:")))].sort();

/** The grant of tokens minted by issueTokens(): what a login by today's Claude Code gets. */
export const TOKEN_SCOPE = grantedScopes(KNOWN_SCOPES).join(" ");

export type AccessStatus = "ok" | "unknown" | "expired" | "revoked";
type RefreshStatus = "live" | "used" | "revoked";

interface AccessEntry {
  expiresAtMs: number;
  revoked: boolean;
  /** The scopes this access token carries (the `scope` of the answer that minted it). */
  scope: string[];
  /** Whose login it is (each account has its own refresh chain, plan and e-mail). */
  account: string;
}

interface RefreshEntry {
  status: RefreshStatus;
  /** The original grant: a refresh may ask for these or fewer, never more (RFC 6749 §6). Rotation keeps it. */
  grant: string[];
  account: string;
}

interface PendingCode {
  challenge: string;
  state: string;
  /** The grant the approved authorization carries. */
  scope: string[];
  used: boolean;
  account: string;
}

/** The account every login belongs to unless a test names another. */
export const DEFAULT_ACCOUNT = "default";
/** The e-mail a login reports: user@example.com for the default account, NAME@example.com for another. */
export const emailOf = (account: string) => `${account === DEFAULT_ACCOUNT ? "user" : account}@example.com`;

/** All tokens and authorization codes the fake has minted. */
export class TokenStore {
  private readonly access = new Map<string, AccessEntry>();
  private readonly refresh = new Map<string, RefreshEntry>();
  private readonly codes = new Map<string, PendingCode>();
  readonly organizationUuid = crypto.randomUUID();
  private readonly uuids = new Map<string, string>([[DEFAULT_ACCOUNT, crypto.randomUUID()]]);
  /** The account the next browser login (authorization code) belongs to: `fake.loginAs(name)`. */
  loginAccount = DEFAULT_ACCOUNT;

  get accountUuid(): string {
    return this.uuidOf(DEFAULT_ACCOUNT);
  }

  uuidOf(account: string): string {
    const known = this.uuids.get(account);
    if (known) return known;
    const uuid = crypto.randomUUID();
    this.uuids.set(account, uuid);
    return uuid;
  }

  /** The account an access token belongs to. */
  accountOf(token: string): string {
    return this.access.get(token)?.account ?? DEFAULT_ACCOUNT;
  }

  constructor(readonly ttlSeconds: number) {}

  /** A fresh pair; `grant` is what its refresh token may ask for, `scope` what the access token carries. */
  issue(
    expiresIn = this.ttlSeconds,
    grant: string[] = TOKEN_SCOPE.split(" "),
    scope: string[] = grant,
    account = DEFAULT_ACCOUNT,
  ): TokenPair {
    const expiresAtMs = Date.now() + expiresIn * 1000;
    const pair = {
      access_token: `sk-ant-oat01-${randomBase64url(72)}`,
      refresh_token: `sk-ant-ort01-${randomBase64url(72)}`,
      expires_at: Math.floor(expiresAtMs / 1000),
    };
    this.access.set(pair.access_token, { expiresAtMs, revoked: false, scope, account });
    this.refresh.set(pair.refresh_token, { status: "live", grant, account });
    return pair;
  }

  accessStatus(token: string): AccessStatus {
    const entry = this.access.get(token);
    if (!entry) return "unknown";
    if (entry.revoked) return "revoked";
    return Date.now() >= entry.expiresAtMs ? "expired" : "ok";
  }

  revokeAccess(token: string): void {
    const entry = this.access.get(token);
    if (entry) entry.revoked = true;
  }

  revokeRefresh(token: string): void {
    const entry = this.refresh.get(token);
    if (entry) entry.status = "revoked";
  }

  /**
   * Single use: a live refresh token becomes "used" and a fresh pair is minted with the same grant. `scope` (the
   * request's, space-separated) narrows the new access token; asking for a scope outside the grant is invalid_scope,
   * and a refused request leaves the refresh token live.
   */
  rotate(refreshToken: string, scope?: string): TokenPair {
    const entry = this.refresh.get(refreshToken);
    if (entry === undefined) throw invalidGrant("Refresh token not found or invalid");
    if (entry.status === "used") throw invalidGrant("Refresh token has already been used");
    if (entry.status === "revoked") throw invalidGrant("Refresh token has been revoked");
    const asked = scope === undefined ? entry.grant : scope.split(" ");
    if (asked.some((name) => !entry.grant.includes(name))) throw invalidScope();
    entry.status = "used";
    return this.issue(this.ttlSeconds, entry.grant, grantedScopes(asked), entry.account);
  }

  addCode(challenge: string, state: string, scope: string[] = TOKEN_SCOPE.split(" ")): string {
    const code = randomBase64url(32);
    this.codes.set(code, { challenge, state, scope, used: false, account: this.loginAccount });
    return code;
  }

  pendingCode(code: string): PendingCode | undefined {
    return this.codes.get(code);
  }

  tokenResponse(pair: TokenPair) {
    const account = this.accountOf(pair.access_token);
    return {
      token_type: "Bearer",
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      expires_in: this.ttlSeconds,
      scope: (this.access.get(pair.access_token)?.scope ?? TOKEN_SCOPE.split(" ")).join(" "),
      organization: { uuid: this.organizationUuid, name: "Fake Org" },
      account: { uuid: this.uuidOf(account), email_address: emailOf(account) },
    };
  }
}

const invalidGrant = (description: string) => new OAuthError(400, "invalid_grant", description);
const invalidRequest = (description: string) => new OAuthError(400, "invalid_request", description);
// Anthropic's wording (seen answering a refresh that asked for more than the login granted).
const invalidScope = () => new OAuthError(400, "invalid_scope", "The requested scope is invalid, unknown, or malformed.");

/** base64url(SHA-256(verifier)) without padding: the S256 PKCE challenge. */
export const pkceChallenge = (verifier: string) => sha256(verifier, "base64url");

const challengePattern = /^[A-Za-z0-9_-]{43}$/;
const verifierPattern = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * GET /cai/oauth/authorize (or /oauth/authorize): validates the query, answers `CODE#STATE` as the real callback page
 * would show it. The code carries the grant: the `user:*` scopes asked for.
 */
export function handleAuthorize(url: URL, store: TokenStore): Response {
  const problem = authorizeProblem(url.searchParams);
  if (problem) return new Response(`Invalid authorization request: ${problem}`, { status: 400 });
  const challenge = url.searchParams.get("code_challenge") ?? "";
  const state = url.searchParams.get("state") ?? "";
  const code = store.addCode(challenge, state, grantedScopes(scopesOf(url.searchParams)));
  return new Response(`${code}#${state}`, { headers: { "content-type": "text/plain; charset=utf-8" } });
}

function authorizeProblem(query: URLSearchParams): string | undefined {
  const expected: Record<string, string> = {
    code: "true",
    client_id: CLIENT_ID,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    code_challenge_method: "S256",
  };
  for (const [name, value] of Object.entries(expected)) {
    if (query.get(name) !== value) return `${name} must be ${JSON.stringify(value)}, got ${JSON.stringify(query.get(name))}`;
  }
  const scopes = scopesOf(query);
  const unknown = scopes.find((scope) => !KNOWN_SCOPES.has(scope));
  if (unknown !== undefined) return `Unknown scope: ${unknown}`;
  if (!scopes.includes("user:inference")) return "scope must include user:inference";
  const challenge = query.get("code_challenge") ?? "";
  if (!challengePattern.test(challenge)) return "code_challenge must be base64url(SHA-256(verifier)) without padding";
  const state = query.get("state") ?? "";
  if (state === "") return "state is required";
  if (state === challenge) return "state must not equal code_challenge";
  return undefined;
}

const scopesOf = (query: URLSearchParams) => (query.get("scope") ?? "").split(" ");

/** What the token endpoint received, parsed only as far as counters need. */
export function grantTypeOf(body: unknown): string | undefined {
  return isRecord(body) && typeof body.grant_type === "string" ? body.grant_type : undefined;
}

/** POST /v1/oauth/token (after faults were considered). Throws OAuthError for every refusal. */
export function handleToken(contentType: string | null, body: unknown, store: TokenStore): Response {
  if (!(contentType ?? "").toLowerCase().startsWith("application/json")) {
    throw invalidRequest("Content-Type must be application/json");
  }
  if (!isRecord(body)) throw invalidRequest("Body must be a JSON object");
  const grant = body.grant_type;
  if (grant === "authorization_code") return json(200, store.tokenResponse(exchange(body, store)));
  if (grant === "refresh_token") return json(200, store.tokenResponse(refresh(body, store)));
  throw new OAuthError(400, "unsupported_grant_type", `Unsupported grant_type: ${String(grant)}`);
}

function requireStrings<K extends string>(fields: Record<string, unknown>, names: readonly K[]): Record<K, string> {
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const value = fields[name];
    if (typeof value !== "string" || value === "") throw invalidRequest(`Missing required parameter: ${name}`);
    out[name] = value;
  }
  return out as Record<K, string>;
}

function checkClient(clientId: string): void {
  if (clientId !== CLIENT_ID) throw new OAuthError(400, "invalid_client", `Unknown client_id: ${clientId}`);
}

function exchange(fields: Record<string, unknown>, store: TokenStore): TokenPair {
  const names = ["code", "state", "client_id", "redirect_uri", "code_verifier"] as const;
  const { code, state, client_id, redirect_uri, code_verifier } = requireStrings(fields, names);
  checkClient(client_id);
  const pending = store.pendingCode(code);
  if (!pending || pending.used) throw invalidGrant("Invalid or already used authorization code");
  if (state !== pending.state) throw invalidGrant("state does not match the authorization request");
  if (redirect_uri !== REDIRECT_URI) throw invalidGrant("redirect_uri does not match the authorization request");
  if (code_verifier === state) throw invalidGrant("code_verifier must not equal state");
  if (!verifierPattern.test(code_verifier)) throw invalidGrant("code_verifier is malformed");
  if (pkceChallenge(code_verifier) !== pending.challenge) throw invalidGrant("code_verifier does not match code_challenge");
  pending.used = true;
  return store.issue(store.ttlSeconds, pending.scope, pending.scope, pending.account);
}

/** `scope` is optional (Claude Code sends its five `user:*` scopes); absent, the new token keeps the grant. */
function refresh(fields: Record<string, unknown>, store: TokenStore): TokenPair {
  const { refresh_token, client_id } = requireStrings(fields, ["refresh_token", "client_id"] as const);
  checkClient(client_id);
  const scope = fields.scope;
  if (scope !== undefined && (typeof scope !== "string" || !/^\S+( \S+)*$/.test(scope))) throw invalidScope();
  return store.rotate(refresh_token, scope);
}
