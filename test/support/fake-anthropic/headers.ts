/** Credential and header rules the real API enforces before it looks at the body. */
import { ApiError, fail } from "./errors.ts";
import type { TokenStore } from "./oauth.ts";

export type AuthMode = "api-key" | "oauth";

export const OAUTH_BETA = "oauth-2025-04-20";
const VERSIONS = new Set(["2023-06-01", "2023-01-01", "2026-10-21"]); // 2026-10-21: what @anthropic-ai/sdk 1.x sends

const unauthorized = (message = "invalid x-api-key") => new ApiError(401, message);

export function betasOf(headers: Headers): string[] {
  return (headers.get("anthropic-beta") ?? "")
    .split(",")
    .map((beta) => beta.trim())
    .filter((beta) => beta !== "");
}

/** Which credential the request carries, after checking it is one the fake accepts. */
/** Who is calling: an API key, or an OAuth token of one of the fake's accounts. */
export function authenticate(headers: Headers, apiKeys: readonly string[], tokens: TokenStore): { mode: AuthMode; account?: string } {
  const apiKey = headers.get("x-api-key");
  const authorization = headers.get("authorization");
  if (apiKey !== null && authorization !== null) {
    fail("Send either x-api-key or authorization, not both (a proxy must not forward its client's key).");
  }
  if (apiKey !== null) {
    if (!apiKeys.includes(apiKey)) throw unauthorized();
    return { mode: "api-key" };
  }
  const token = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
  if (token === undefined) throw unauthorized();
  // @anthropic-ai/sdk 1.x sends an API key as `authorization: Bearer <key>`, not x-api-key: a key is a key either way.
  if (apiKeys.includes(token)) return { mode: "api-key" };
  if (!betasOf(headers).includes(OAUTH_BETA)) throw unauthorized("OAuth authentication is currently not supported.");
  const status = tokens.accessStatus(token);
  if (status === "unknown") throw unauthorized();
  if (status === "expired") {
    throw unauthorized("OAuth token has expired. Please obtain a new token or refresh your existing token.");
  }
  if (status === "revoked") throw unauthorized("OAuth token has been revoked. Please obtain a new token.");
  return { mode: "oauth", account: tokens.accountOf(token) };
}

/** Exactly one known anthropic-version, and no beta listed twice. Returns the version. */
export function checkHeaders(headers: Headers): string {
  const version = headers.get("anthropic-version");
  if (version === null) fail("anthropic-version: header is required");
  if (version.includes(",")) fail(`anthropic-version: send the header exactly once (got ${JSON.stringify(version)})`);
  if (!VERSIONS.has(version.trim())) fail(`anthropic-version: ${JSON.stringify(version)} is not a valid version`);
  const seen = new Set<string>();
  for (const beta of betasOf(headers)) {
    if (seen.has(beta)) fail(`anthropic-beta: ${JSON.stringify(beta)} is listed more than once`);
    seen.add(beta);
  }
  return version.trim();
}
