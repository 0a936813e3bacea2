import { DEFAULT_ACCOUNT } from "./accounts.ts";
import { lstatSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import * as v from "valibot";
import type { Config } from "../config/load.ts";
import { withFileLock } from "./lock.ts";
import { exchangeCode, OAuthError } from "./oauth.ts";
import type { Fetch } from "../shared/http.ts";
import { parsePastedCode, type Pkce } from "./pkce.ts";
import { besideTokenFile, writeSecretFile, type StoredTokens, type TokenStore } from "./store.ts";
import { attempt, ensureParentDirectory, removeFile } from "../shared/files.ts";
import { UserError } from "../shared/errors.ts";
import { readJsonFile } from "../shared/json-file.ts";

/** A login step that cannot go on; the message says what happened and what to run next. */
export class LoginError extends UserError {
  override name = "LoginError";
}

/** How long a `--print-url` login may wait for its `--code`. */
export const PENDING_LOGIN_TTL_MS = 15 * 60 * 1000;

/**
 * The half-finished headless login lives next to the account's file: `login-pending.json` for the default account (as
 * always), `<name>.login-pending.json` for another (the dot keeps it from being taken for an account of its own).
 */
export const pendingLoginPath = (tokenFile: string, account = DEFAULT_ACCOUNT) =>
  join(dirname(tokenFile), account === DEFAULT_ACCOUNT ? "login-pending.json" : `${account}.login-pending.json`);

const PendingSchema = v.object({
  verifier: v.pipe(v.string(), v.nonEmpty()),
  challenge: v.pipe(v.string(), v.nonEmpty()),
  state: v.pipe(v.string(), v.nonEmpty()),
  expires_at_ms: v.number(),
});

const AGAIN = "run `maximize login --print-url` again";

const PENDING = besideTokenFile("the pending login");

export function savePendingLogin(path: string, pkce: Pkce, now: number): void {
  const pending = { ...pkce, expires_at_ms: now + PENDING_LOGIN_TTL_MS };
  writeSecretFile(path, `${JSON.stringify(pending, null, 2)}\n`, PENDING);
}

/** The pending login, or a LoginError saying why there is none usable. */
export function loadPendingLogin(path: string, now: number): Pkce {
  if (!attempt("read", path, PENDING, () => lstatSync(path, { throwIfNoEntry: false }))) {
    throw new LoginError(`no login in progress (${path} does not exist) — run \`maximize login --print-url\` first`);
  }
  const read = readJsonFile(path, PendingSchema);
  if (!read.ok) {
    // Never the JSON parser's text: it quotes what it choked on, and this file holds a PKCE verifier.
    const why = read.problem.kind === "unreadable" ? ` (${read.problem.message})` : "";
    throw new LoginError(`cannot read the pending login ${path}${why}: it is damaged or unreadable — ${AGAIN}`);
  }
  const { expires_at_ms, ...pkce } = read.value;
  if (expires_at_ms <= now) {
    rmSync(path, { force: true });
    throw new LoginError(`the login started with --print-url has expired (they last 15 minutes) — ${AGAIN}`);
  }
  return pkce;
}

export const removePendingLogin = (path: string) => removeFile(path, PENDING);

/** Writes tokens under the token-file lock, so a running server's refresh never interleaves with a login. */
export function storeTokens(store: TokenStore, tokens: StoredTokens): Promise<void> {
  ensureParentDirectory(store.path, besideTokenFile("the token file")); // the lock lives there too
  return withFileLock(store.path, async () => store.write(tokens));
}

/** Exchanges what the user pasted for tokens and stores them. The token file is untouched on any failure. */
export async function completeLogin(
  deps: { fetch: Fetch; oauth: Config["oauth"]; store: TokenStore },
  pkce: Pkce,
  pasted: string,
): Promise<StoredTokens> {
  const parsed = parsePastedCode(pasted, pkce.state);
  if (!parsed.ok) throw new LoginError(parsed.reason);
  let tokens: StoredTokens;
  try {
    tokens = await exchangeCode(deps.fetch, deps.oauth, { code: parsed.code, state: parsed.state, verifier: pkce.verifier });
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    const next =
      error.kind === "rejected"
        ? "the code may be used, expired or from another attempt; open the login URL again and paste the new code"
        : "the token endpoint may be down or blocking this network; try again shortly (or set MAXIMIZE_OAUTH_TOKEN_URL)";
    throw new LoginError(`login failed: ${error.message} — ${next}`);
  }
  await storeTokens(deps.store, tokens);
  return tokens;
}

/** `sk-ant-oat01-…` as printed by `claude setup-token`. */
const LONG_LIVED_TOKEN = /^sk-ant-oat\d{2}-[A-Za-z0-9_-]{20,}$/;

/** Checks the shape of a long-lived OAuth token; the message never repeats the token. */
export function checkLongLivedToken(token: string): StoredTokens {
  const trimmed = token.trim();
  if (trimmed.startsWith("sk-ant-api")) {
    throw new LoginError(
      "that is an Anthropic API key, not a Claude login token — set MAXIMIZE_ANTHROPIC_API_KEY instead (no login needed)",
    );
  }
  if (trimmed.startsWith("sk-ant-ort")) {
    throw new LoginError("that is a refresh token, not an access token — pass the sk-ant-oat01-… token printed by `claude setup-token`");
  }
  if (!LONG_LIVED_TOKEN.test(trimmed)) {
    throw new LoginError(
      "that does not look like a Claude OAuth token (expected sk-ant-oat01- followed by letters, digits, - or _) — copy the whole token printed by `claude setup-token`",
    );
  }
  return { access_token: trimmed, refresh_token: null, expires_at: null, token_type: "Bearer", source: "long-lived" };
}
