import { createHash, randomBytes } from "node:crypto";
import type { Config } from "../config/load.ts";

/** One PKCE login attempt: the secret verifier, its S256 challenge, and an unrelated random state. */
export interface Pkce {
  verifier: string;
  challenge: string;
  state: string;
}

export type RandomBytes = (size: number) => Uint8Array;

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** base64url(SHA-256(verifier)) without padding. */
export const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

/**
 * A fresh verifier (32 random bytes) and a state drawn separately, so the URL — which ends up in browser
 * history — never carries anything that helps redeem the code.
 */
export function createPkce(random: RandomBytes = randomBytes): Pkce {
  const verifier = base64url(random(32));
  const state = base64url(random(32));
  if (state === verifier) throw new Error("the random source returned the same bytes twice: refusing to reuse the verifier as state");
  return { verifier, challenge: s256(verifier), state };
}

/** The authorization URL the user opens in a browser. */
export function authorizeUrl(oauth: Config["oauth"], pkce: Pkce): string {
  const url = new URL(oauth.authorize_url);
  const query = {
    code: "true",
    client_id: oauth.client_id,
    response_type: "code",
    redirect_uri: oauth.redirect_uri,
    scope: oauth.scopes,
    code_challenge: pkce.challenge,
    code_challenge_method: "S256",
    state: pkce.state,
  };
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.toString();
}

/** What the user pasted, once understood. */
export type PastedCode = { ok: true; code: string; state: string } | { ok: false; reason: string };

/** Parses `CODE#STATE`, a bare `CODE`, or the callback URL (`…?code=…&state=…`), and checks the state. */
export function parsePastedCode(input: string, expectedState: string): PastedCode {
  const text = input.trim();
  if (!text) return { ok: false, reason: "nothing was pasted — paste the code shown after you approved access" };
  const { code, state } = /^https?:\/\//i.test(text) ? fromUrl(text) : fromCodeAndState(text);
  if (!code)
    return { ok: false, reason: "no authorization code found — paste the whole code shown on the page (CODE#STATE) or the page's URL" };
  if (/\s/.test(code)) return { ok: false, reason: "the code contains spaces — paste it exactly as shown, in one piece" };
  if (state !== undefined && state !== expectedState) {
    return {
      ok: false,
      reason:
        "the state in the pasted code does not match this login attempt — it belongs to another login; open the URL of this attempt again and paste the new code",
    };
  }
  return { ok: true, code, state: expectedState };
}

function fromUrl(text: string): { code?: string; state?: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {};
  }
  const hash = url.hash.slice(1);
  const fragment = new URLSearchParams(hash);
  const code = url.searchParams.get("code") ?? fragment.get("code") ?? undefined;
  if (code?.includes("#")) return fromCodeAndState(code);
  // `…/callback?code=CODE#STATE`: the state rides in a bare fragment.
  const bareState = hash && !hash.includes("=") ? safeDecode(hash) : undefined;
  const state = url.searchParams.get("state") ?? fragment.get("state") ?? bareState;
  return { code, state };
}

/** A malformed %-escape is left as typed (the state check then refuses it) rather than thrown. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function fromCodeAndState(text: string): { code?: string; state?: string } {
  const hash = text.indexOf("#");
  if (hash === -1) return { code: text };
  return { code: text.slice(0, hash).trim(), state: text.slice(hash + 1).trim() };
}
