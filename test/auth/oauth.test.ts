import { describe, expect, test } from "bun:test";
import { OAuthError, refreshRequestBody, refreshScope, refreshTokens } from "../../src/auth/oauth.ts";
import type { Fetch } from "../../src/shared/http.ts";
import type { StoredTokens } from "../../src/auth/store.ts";
import { DEFAULT_OAUTH } from "../../src/config/defaults.ts";
import { loadConfig } from "../../src/config/load.ts";

const defaults = loadConfig({ env: {}, cwd: "/" }).oauth;
const withScopes = (scopes: string) => loadConfig({ env: { MAXIMIZE_OAUTH_SCOPES: scopes }, cwd: "/" }).oauth;

/** The five scopes Claude Code 2.1.332 sends on every refresh, in its order. */
const CLAUDE_CODE_REFRESH_SCOPE = "user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload";
const stored = (extra: Record<string, unknown> = {}): StoredTokens & { refresh_token: string } => ({
  access_token: "sk-ant-oat01-a",
  expires_at: 1,
  ...extra,
  refresh_token: "sk-ant-ort01-r",
});

describe("defaults (Claude Code 2.1.332)", () => {
  test("authorize URL and login scopes", () => {
    expect(DEFAULT_OAUTH.authorize_url).toBe("https://claude.com/cai/oauth/authorize");
    expect(DEFAULT_OAUTH.token_url).toBe("https://platform.claude.com/v1/oauth/token");
    expect(DEFAULT_OAUTH.redirect_uri).toBe("https://platform.claude.com/oauth/code/callback");
    expect(DEFAULT_OAUTH.scopes).toBe(
      "org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
    );
  });
});

describe("the refresh scope is derived from the configured login scopes", () => {
  test.each([
    ["the defaults", DEFAULT_OAUTH.scopes, CLAUDE_CODE_REFRESH_SCOPE],
    ["a user who asks for inference only", "user:inference", "user:inference"],
    ["the pre-2026 default", "org:create_api_key user:profile user:inference", "user:profile user:inference"],
    ["extra whitespace", "  user:inference \t user:profile  ", "user:inference user:profile"],
    ["no user:* scope at all", "org:create_api_key", undefined],
  ])("%s", (_name, login, refresh) => {
    expect(refreshScope(login)).toBe(refresh);
  });
});

describe("the refresh request body", () => {
  test.each<[string, ReturnType<typeof withScopes>, Record<string, unknown>, Record<string, string>]>([
    [
      "default config: Claude Code's body, scope included",
      defaults,
      {},
      {
        grant_type: "refresh_token",
        refresh_token: "sk-ant-ort01-r",
        client_id: DEFAULT_OAUTH.client_id,
        scope: CLAUDE_CODE_REFRESH_SCOPE,
      },
    ],
    [
      "overridden oauth.scopes: the refresh follows",
      withScopes("org:create_api_key user:inference"),
      {},
      { grant_type: "refresh_token", refresh_token: "sk-ant-ort01-r", client_id: DEFAULT_OAUTH.client_id, scope: "user:inference" },
    ],
    [
      "no user:* scope configured: no scope sent",
      withScopes("org:create_api_key"),
      {},
      { grant_type: "refresh_token", refresh_token: "sk-ant-ort01-r", client_id: DEFAULT_OAUTH.client_id },
    ],
    [
      "a login imported with another client id refreshes with that id",
      defaults,
      { client_id: "other-client" },
      { grant_type: "refresh_token", refresh_token: "sk-ant-ort01-r", client_id: "other-client", scope: CLAUDE_CODE_REFRESH_SCOPE },
    ],
    [
      "an empty stored client id falls back to the configured one",
      defaults,
      { client_id: "" },
      {
        grant_type: "refresh_token",
        refresh_token: "sk-ant-ort01-r",
        client_id: DEFAULT_OAUTH.client_id,
        scope: CLAUDE_CODE_REFRESH_SCOPE,
      },
    ],
  ])("%s", (_name, oauth, extra, body) => {
    expect(refreshRequestBody(oauth, stored(extra))).toEqual(body);
  });
});

/** A token endpoint that answers from a script and records every body it got. */
function scriptedEndpoint(answers: { status: number; body: unknown }[]) {
  const bodies: Record<string, string>[] = [];
  const fetch: Fetch = async (_url, init) => {
    bodies.push(JSON.parse(String(init?.body)));
    const answer = answers.shift() ?? { status: 500, body: { error: "server_error" } };
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { "content-type": "application/json" } });
  };
  return { fetch, bodies };
}

const ok = (extra: Record<string, unknown> = {}) => ({
  status: 200,
  body: { token_type: "Bearer", access_token: "sk-ant-oat01-new", refresh_token: "sk-ant-ort01-new", expires_in: 3600, ...extra },
});
const invalidScope = {
  status: 400,
  body: { error: "invalid_scope", error_description: "The requested scope is invalid, unknown, or malformed." },
};

describe("refreshTokens", () => {
  test("sends the scope; keeps client id, source, plan and tier; stores the granted scope", async () => {
    const endpoint = scriptedEndpoint([ok({ scope: "user:inference user:profile" })]);
    const previous = stored({
      client_id: "cc-client",
      source: "claude-code",
      subscription_type: "max",
      rate_limit_tier: "default_claude_max_20x",
    });
    const next = await refreshTokens(endpoint.fetch, defaults, previous);
    expect(endpoint.bodies).toEqual([
      { grant_type: "refresh_token", refresh_token: "sk-ant-ort01-r", client_id: "cc-client", scope: CLAUDE_CODE_REFRESH_SCOPE },
    ]);
    expect(next).toMatchObject({
      access_token: "sk-ant-oat01-new",
      refresh_token: "sk-ant-ort01-new",
      scopes: "user:inference user:profile",
      client_id: "cc-client",
      source: "claude-code",
      subscription_type: "max",
      rate_limit_tier: "default_claude_max_20x",
    });
  });

  test("an old-shaped token (no extra fields) gains nothing it did not have", async () => {
    const endpoint = scriptedEndpoint([ok()]);
    const next = await refreshTokens(endpoint.fetch, defaults, stored());
    expect(Object.keys(next).sort()).toEqual(["access_token", "expires_at", "refresh_token", "token_type"]);
  });

  test("a login granted fewer scopes: invalid_scope → asked once more without scope", async () => {
    const endpoint = scriptedEndpoint([invalidScope, ok({ scope: "user:inference user:profile" })]);
    const next = await refreshTokens(endpoint.fetch, defaults, stored());
    expect(endpoint.bodies.map((body) => body.scope)).toEqual([CLAUDE_CODE_REFRESH_SCOPE, undefined]);
    expect(endpoint.bodies[1]).toEqual({
      grant_type: "refresh_token",
      refresh_token: "sk-ant-ort01-r",
      client_id: DEFAULT_OAUTH.client_id,
    });
    expect(next.access_token).toBe("sk-ant-oat01-new");
  });

  test("invalid_grant is not retried, and says so", async () => {
    const endpoint = scriptedEndpoint([
      { status: 400, body: { error: "invalid_grant", error_description: "Refresh token not found or invalid" } },
    ]);
    const error = await refreshTokens(endpoint.fetch, defaults, stored()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ kind: "rejected", code: "invalid_grant" });
    expect((error as Error).message).toContain("invalid_grant: Refresh token not found or invalid");
    expect(endpoint.bodies).toHaveLength(1);
  });

  test("invalid_scope with no scope sent is not retried", async () => {
    const endpoint = scriptedEndpoint([invalidScope]);
    const error = await refreshTokens(endpoint.fetch, withScopes("org:create_api_key"), stored()).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "rejected", code: "invalid_scope" });
    expect(endpoint.bodies).toHaveLength(1);
  });
});
