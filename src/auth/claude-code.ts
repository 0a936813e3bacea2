import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import type { Config } from "../config/load.ts";
import { LoginError, storeTokens } from "./login.ts";
import { OAuthError, refreshTokens, type Fetch } from "./oauth.ts";
import type { StoredTokens, TokenStore } from "./store.ts";
import { REFRESH_LEAD_SECONDS } from "./tokens.ts";

/** Claude Code's own login file: `$CLAUDE_CONFIG_DIR/.credentials.json`, else `~/.claude/.credentials.json`. */
export function claudeCodeCredentialsPath(env: Record<string, string | undefined>, home: string): string {
  return join(env.CLAUDE_CONFIG_DIR || join(home, ".claude"), ".credentials.json");
}

const CredentialsSchema = v.looseObject({
  claudeAiOauth: v.looseObject({
    accessToken: v.pipe(v.string("a string"), v.nonEmpty("a non-empty string")),
    refreshToken: v.optional(v.nullable(v.string("a string"))),
    expiresAt: v.optional(v.nullable(v.number("epoch milliseconds"))),
    scopes: v.optional(v.array(v.string())),
    subscriptionType: v.optional(v.nullable(v.string())),
  }, "an object"),
}, "an object");

/** Reads Claude Code's credentials as a token-file entry (`expiresAt` is epoch milliseconds there, seconds here). */
export function readClaudeCodeCredentials(path: string): StoredTokens {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new LoginError(
      missing
        ? `no Claude Code login found at ${path} — log in with \`claude\` first, point --from (or CLAUDE_CONFIG_DIR) at the right place, or on macOS (where Claude Code keeps its login in the Keychain) run \`claude setup-token\` and \`maximize login --token …\``
        : `cannot read ${path}: ${(error as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LoginError(`${path} is not valid JSON — is it Claude Code's .credentials.json?`);
  }
  const parsed = v.safeParse(CredentialsSchema, json);
  if (!parsed.success) {
    const where = v.getDotPath(parsed.issues[0]) ?? "(root)";
    throw new LoginError(`${path} has no usable Claude login (${where} must be ${parsed.issues[0].message}) — log in with \`claude\` and try again`);
  }
  const oauth = parsed.output.claudeAiOauth;
  return {
    access_token: oauth.accessToken,
    refresh_token: oauth.refreshToken ?? null,
    expires_at: oauth.expiresAt == null ? null : Math.floor(oauth.expiresAt / 1000),
    token_type: "Bearer",
    ...(oauth.scopes ? { scopes: oauth.scopes } : {}),
    ...(oauth.subscriptionType ? { subscription_type: oauth.subscriptionType } : {}),
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
    throw new LoginError(`the Claude Code login in ${path} has expired and has no refresh token — run \`claude\` to log in again, then import`);
  }
  let tokens: StoredTokens;
  try {
    tokens = await refreshTokens(deps.fetch, deps.oauth, { ...imported, refresh_token: refreshToken });
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    const next = error.kind === "rejected"
      ? "the Claude Code login is no longer valid; run `claude` to log in again, then import"
      : "try again shortly";
    throw new LoginError(`the Claude Code login is about to expire and refreshing it failed: ${error.message} — ${next}`);
  }
  const stored = { ...tokens, source: "claude-code" };
  await storeTokens(deps.store, stored);
  return { tokens: stored, refreshed: true };
}
