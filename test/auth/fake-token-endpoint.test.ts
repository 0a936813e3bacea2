/**
 * The fake's OAuth side models today's token endpoint: `scope` on refresh, echoed in the answer, never wider than the
 * original grant. Driven through its handlers directly (the HTTP routing is covered by the e2e tests).
 */
import { describe, expect, test } from "bun:test";
import { OAuthError } from "../support/fake-anthropic/errors.ts";
import {
  AUTHORIZE_PATHS,
  CLIENT_ID,
  handleAuthorize,
  handleToken,
  isAuthorizePath,
  pkceChallenge,
  REDIRECT_URI,
  TOKEN_SCOPE,
  TokenStore,
} from "../support/fake-anthropic/oauth.ts";

const FIVE = "user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload";
const SORTED_FIVE = "user:file_upload user:inference user:mcp_servers user:profile user:sessions:claude_code";

interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  scope: string;
}

type Answer = TokenAnswer & { error?: string; error_description?: string };

async function post(store: TokenStore, body: Record<string, unknown>): Promise<{ status: number; body: Answer }> {
  try {
    const response = handleToken("application/json", body, store);
    return { status: response.status, body: (await response.json()) as Answer };
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return { status: error.status, body: error.body() as never };
  }
}

const refresh = (store: TokenStore, refresh_token: string, scope?: unknown) =>
  post(store, { grant_type: "refresh_token", refresh_token, client_id: CLIENT_ID, ...(scope === undefined ? {} : { scope }) });

/** A full login through the authorize page asking for `scope`; returns the token answer. */
async function login(store: TokenStore, scope: string, path = "/cai/oauth/authorize") {
  const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const state = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const query = new URLSearchParams({
    code: "true",
    client_id: CLIENT_ID,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: pkceChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });
  const page = handleAuthorize(new URL(`http://fake.test${path}?${query}`), store);
  expect(page.status).toBe(200);
  const [code] = (await page.text()).split("#");
  return post(store, {
    grant_type: "authorization_code",
    code,
    state,
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
}

describe("the fake's authorize page", () => {
  test("answers on today's path and on the old one", () => {
    expect(AUTHORIZE_PATHS).toEqual(["/cai/oauth/authorize", "/oauth/authorize"]);
    expect(isAuthorizePath("/cai/oauth/authorize")).toBe(true);
    expect(isAuthorizePath("/oauth/authorize")).toBe(true);
    expect(isAuthorizePath("/v1/oauth/authorize")).toBe(false);
  });

  test("an unknown (e.g. line-wrapped) scope is refused as the real page does", async () => {
    const query = new URLSearchParams({
      code: "true",
      client_id: CLIENT_ID,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: "user:inference use",
      code_challenge: "x".repeat(43),
      code_challenge_method: "S256",
      state: "s",
    });
    const page = handleAuthorize(new URL(`http://fake.test/cai/oauth/authorize?${query}`), new TokenStore(3600));
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("Unknown scope: use");
  });

  test("a login grants the user:* scopes asked for, listed sorted", async () => {
    const store = new TokenStore(3600);
    const today = await login(store, `org:create_api_key ${FIVE}`);
    expect(today.body.scope).toBe(SORTED_FIVE);
    const old = await login(store, "org:create_api_key user:profile user:inference", "/oauth/authorize");
    expect(old.body.scope).toBe("user:inference user:profile");
  });
});

describe("the fake's refresh with scope", () => {
  test("issueTokens() grants what today's Claude Code login gets", () => {
    expect(TOKEN_SCOPE).toBe(SORTED_FIVE);
  });

  test("Claude Code's refresh scope is accepted and echoed; without scope the grant is kept", async () => {
    const store = new TokenStore(3600);
    const first = await refresh(store, store.issue().refresh_token, FIVE);
    expect(first.status).toBe(200);
    expect(first.body.scope).toBe(SORTED_FIVE);
    const second = await refresh(store, first.body.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.scope).toBe(SORTED_FIVE);
  });

  test("a narrower scope narrows the access token only; the next refresh may ask for the whole grant again", async () => {
    const store = new TokenStore(3600);
    const narrow = await refresh(store, store.issue().refresh_token, "user:inference");
    expect(narrow.body.scope).toBe("user:inference");
    const again = await refresh(store, narrow.body.refresh_token, FIVE);
    expect(again.status).toBe(200);
    expect(again.body.scope).toBe(SORTED_FIVE);
  });

  test("asking for more than the login granted → 400 invalid_scope, and the refresh token is not spent", async () => {
    const store = new TokenStore(3600);
    const old = await login(store, "org:create_api_key user:profile user:inference");
    const refused = await refresh(store, old.body.refresh_token, FIVE);
    expect(refused).toEqual({
      status: 400,
      body: { error: "invalid_scope", error_description: "The requested scope is invalid, unknown, or malformed." } as never,
    });
    const withoutScope = await refresh(store, old.body.refresh_token);
    expect(withoutScope.status).toBe(200);
    expect(withoutScope.body.scope).toBe("user:inference user:profile");
  });

  test.each([
    ["a number", 5],
    ["an empty string", ""],
    ["doubled spaces", "user:inference  user:profile"],
    ["an org scope never granted to a subscription login", "org:create_api_key user:inference"],
  ])("a malformed or foreign scope (%s) → invalid_scope", async (_name, scope) => {
    const store = new TokenStore(3600);
    const answer = await refresh(store, store.issue().refresh_token, scope);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_scope");
  });

  test("a spent refresh token is invalid_grant whatever the scope", async () => {
    const store = new TokenStore(3600);
    const pair = store.issue();
    expect((await refresh(store, pair.refresh_token, FIVE)).status).toBe(200);
    expect((await refresh(store, pair.refresh_token, "user:inference")).body.error).toBe("invalid_grant");
  });
});
