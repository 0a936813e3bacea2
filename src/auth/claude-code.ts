import { join } from "node:path";
import * as v from "valibot";
import type { Config } from "../config/load.ts";
import { LoginError, storeTokens } from "./login.ts";
import { OAuthError, refreshTokens } from "./oauth.ts";
import type { Fetch } from "../shared/http.ts";
import type { StoredTokens, TokenStore } from "./store.ts";
import { REFRESH_LEAD_SECONDS } from "./tokens.ts";
import { describeIssue } from "../shared/issues.ts";
import { readJsonFile, type JsonFileProblem } from "../shared/json-file.ts";

/** Claude Code's own login file: `$CLAUDE_CONFIG_DIR/.credentials.json`, else `~/.claude/.credentials.json`. */
export function claudeCodeCredentialsPath(env: Record<string, string | undefined>, home: string): string {
  return join(env.CLAUDE_CONFIG_DIR || join(home, ".claude"), ".credentials.json");
}

/**
 * `{"claudeAiOauth":{"accessToken","refreshToken","expiresAt":<epoch ms>,"scopes":[…],"subscriptionType","rateLimitTier",
 * "clientId"}}`. Sibling keys (`designOauth`, `mcpOAuth`…) are other logins: ignored. The fields maximize only keeps
 * for information are not validated, so an unexpected value there never blocks an import.
 */
const CredentialsSchema = v.looseObject(
  {
    claudeAiOauth: v.looseObject(
      {
        accessToken: v.string("a string"),
        refreshToken: v.optional(v.nullable(v.string("a string"))),
        expiresAt: v.optional(v.nullable(v.number("epoch milliseconds"))),
        scopes: v.optional(v.unknown()),
        subscriptionType: v.optional(v.unknown()),
        rateLimitTier: v.optional(v.unknown()),
        clientId: v.optional(v.unknown()),
      },
      "an object",
    ),
  },
  "an object",
);

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const textList = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === "string") ? value : undefined;

/** What the user reads when Claude Code has emptied its login (its refresh token died). */
export const REVOKED_MESSAGE =
  "Claude Code's login was revoked: run `claude` to log in again, then `maximize login --import-claude-code` (or log maximize in on its own with `maximize login`)";

/** Why Claude Code's credentials file cannot be imported, and what to do. */
function explainUnreadable(path: string, problem: JsonFileProblem): string {
  switch (problem.kind) {
    case "missing":
      return `no Claude Code login found at ${path} — log in with \`claude\` first, point --from (or CLAUDE_CONFIG_DIR) at the right place, or on macOS (where Claude Code keeps its login in the Keychain) run \`claude setup-token\` and \`maximize login --token …\``;
    case "unreadable":
      return `cannot read ${path}: ${problem.message} — check the file's permissions, or point --from at a readable copy`;
    case "not_json":
    case "not_object":
      return `${path} is not valid JSON — is it Claude Code's .credentials.json? Run \`claude\` to log in again if the file is damaged`;
    case "invalid":
      return `${path} has no usable Claude login (${describeIssue(problem.issue, "the file")}) — log in with \`claude\` and try again`;
  }
}

/** Reads Claude Code's credentials as a token-file entry (`expiresAt` is epoch milliseconds there, seconds here). */
export function readClaudeCodeCredentials(path: string): StoredTokens {
  const read = readJsonFile(path, CredentialsSchema);
  if (!read.ok) throw new LoginError(explainUnreadable(path, read.problem));
  const oauth = read.value.claudeAiOauth;
  if (oauth.accessToken === "") {
    // Claude Code rewrites its login as accessToken "", refreshToken "", expiresAt 0 when its refresh token dies.
    if (!oauth.refreshToken) throw new LoginError(`${REVOKED_MESSAGE}. Nothing was imported from ${path}.`);
    throw new LoginError(
      `the Claude Code login in ${path} has no access token — run \`claude\` once so it renews its login, then import again`,
    );
  }
  const scopes = textList(oauth.scopes);
  const subscriptionType = text(oauth.subscriptionType);
  const rateLimitTier = text(oauth.rateLimitTier);
  const clientId = text(oauth.clientId);
  return {
    access_token: oauth.accessToken,
    refresh_token: oauth.refreshToken || null,
    expires_at: oauth.expiresAt == null ? null : Math.floor(oauth.expiresAt / 1000),
    token_type: "Bearer",
    ...(scopes ? { scopes } : {}),
    ...(subscriptionType ? { subscription_type: subscriptionType } : {}),
    ...(rateLimitTier ? { rate_limit_tier: rateLimitTier } : {}),
    // The client the tokens were issued to: refreshes must name it (see clientIdFor).
    ...(clientId ? { client_id: clientId } : {}),
    source: "claude-code",
  };
}

export interface ImportResult {
  tokens: StoredTokens;
  refreshed: boolean;
}

/** Imports Claude Code's login into maximize's token file, refreshing first when it is about to expire. */
export async function importClaudeCode(
  deps: { fetch: Fetch; oauth: Config["oauth"]; store: TokenStore; now?: () => number },
  path: string,
): Promise<ImportResult> {
  const imported = readClaudeCodeCredentials(path);
  const nowSeconds = (deps.now ?? Date.now)() / 1000;
  const left = imported.expires_at == null ? Number.POSITIVE_INFINITY : imported.expires_at - nowSeconds;
  if (left > REFRESH_LEAD_SECONDS) {
    await storeTokens(deps.store, imported);
    return { tokens: imported, refreshed: false };
  }
  const refreshToken = imported.refresh_token;
  if (!refreshToken) {
    throw new LoginError(
      `the Claude Code login in ${path} has expired and has no refresh token — run \`claude\` to log in again, then \`maximize login --import-claude-code\``,
    );
  }
  let tokens: StoredTokens;
  try {
    tokens = await refreshTokens(deps.fetch, deps.oauth, { ...imported, refresh_token: refreshToken });
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    const next =
      error.kind === "rejected"
        ? "the Claude Code login is no longer valid; run `claude` to log in again, then `maximize login --import-claude-code`"
        : "the token endpoint may be down or blocking this network; try again shortly";
    throw new LoginError(`the Claude Code login is about to expire and refreshing it failed: ${error.message} — ${next}`);
  }
  const stored = { ...tokens, source: "claude-code" };
  await storeTokens(deps.store, stored);
  return { tokens: stored, refreshed: true };
}
