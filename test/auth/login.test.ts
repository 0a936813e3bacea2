import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claudeCodeCredentialsPath, importClaudeCode, readClaudeCodeCredentials } from "../../src/auth/claude-code.ts";
import {
  checkLongLivedToken,
  loadPendingLogin,
  LoginError,
  PENDING_LOGIN_TTL_MS,
  pendingLoginPath,
  savePendingLogin,
} from "../../src/auth/login.ts";
import type { Fetch } from "../../src/shared/http.ts";
import { createPkce } from "../../src/auth/pkce.ts";
import { createTokenStore } from "../../src/auth/store.ts";
import { loadConfig } from "../../src/config/load.ts";

const tempDir = () => mkdtempSync(join(tmpdir(), "maximize-login-"));

describe("pending headless login", () => {
  test("lives next to the token file, 0600, and round-trips", () => {
    const path = pendingLoginPath(join(tempDir(), "tokens.json"));
    expect(path.endsWith("login-pending.json")).toBe(true);
    const pkce = createPkce();
    savePendingLogin(path, pkce, 1_000);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadPendingLogin(path, 1_000 + PENDING_LOGIN_TTL_MS - 1)).toEqual(pkce);
  });

  test("expires after 15 minutes with a clear next step, and is removed", () => {
    const path = join(tempDir(), "login-pending.json");
    savePendingLogin(path, createPkce(), 0);
    expect(() => loadPendingLogin(path, PENDING_LOGIN_TTL_MS)).toThrow(/expired.*maximize login --print-url/);
    expect(existsSync(path)).toBe(false);
  });

  test("missing or damaged: says to start with --print-url", () => {
    const dir = tempDir();
    expect(() => loadPendingLogin(join(dir, "none.json"), 0)).toThrow(/maximize login --print-url/);
    writeFileSync(join(dir, "bad.json"), "{nope");
    expect(() => loadPendingLogin(join(dir, "bad.json"), 0)).toThrow(LoginError);
  });
});

describe("long-lived token", () => {
  const token = `sk-ant-oat01-${"a".repeat(90)}`;
  test("a setup-token token is stored without refresh token or expiry", () => {
    expect(checkLongLivedToken(`  ${token}\n`)).toMatchObject({ access_token: token, refresh_token: null, expires_at: null });
  });

  test.each([
    ["an API key", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz", /API key/],
    ["a refresh token", `sk-ant-ort01-${"b".repeat(40)}`, /refresh token/],
    ["garbage", "hello", /does not look like/],
    ["a truncated token", "sk-ant-oat01-abc", /does not look like/],
    ["a token with a space", `sk-ant-oat01-${"a".repeat(20)} x`, /does not look like/],
  ])("refuses %s without echoing it", (_name, input, reason) => {
    let message = "";
    try {
      checkLongLivedToken(input);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(reason);
    expect(message).not.toContain(input.trim());
  });
});

describe("Claude Code credentials", () => {
  test("path honours CLAUDE_CONFIG_DIR, else ~/.claude", () => {
    expect(claudeCodeCredentialsPath({ CLAUDE_CONFIG_DIR: "/cfg" }, "/home/u")).toBe("/cfg/.credentials.json");
    expect(claudeCodeCredentialsPath({}, "/home/u")).toBe("/home/u/.claude/.credentials.json");
  });

  test("expiresAt in epoch milliseconds becomes expires_at in seconds", () => {
    const path = join(tempDir(), ".credentials.json");
    const claudeAiOauth = {
      accessToken: "sk-ant-oat01-x",
      refreshToken: "sk-ant-ort01-y",
      expiresAt: 1_900_000_000_123,
      scopes: ["user:inference"],
      subscriptionType: "max",
    };
    writeFileSync(path, JSON.stringify({ claudeAiOauth }));
    expect(readClaudeCodeCredentials(path)).toMatchObject({
      access_token: "sk-ant-oat01-x",
      refresh_token: "sk-ant-ort01-y",
      expires_at: 1_900_000_000,
      scopes: ["user:inference"],
      subscription_type: "max",
    });
  });

  test("a missing file or one without claudeAiOauth is explained", () => {
    const dir = tempDir();
    expect(() => readClaudeCodeCredentials(join(dir, "nope.json"))).toThrow(/no Claude Code login found.*--from/);
    writeFileSync(join(dir, "other.json"), JSON.stringify({ mcpOAuth: {} }));
    expect(() => readClaudeCodeCredentials(join(dir, "other.json"))).toThrow(/claudeAiOauth/);
  });
});

/** Claude Code 2.1.332's file: a Max login, with the design tool's login next to it. */
const todaysFile = (oauth: Record<string, unknown> = {}) => ({
  claudeAiOauth: {
    accessToken: "sk-ant-oat01-today",
    refreshToken: "sk-ant-ort01-today",
    expiresAt: 1_900_000_000_999,
    scopes: ["user:file_upload", "user:inference", "user:mcp_servers", "user:profile", "user:sessions:claude_code"],
    subscriptionType: "max",
    rateLimitTier: "default_claude_max_20x",
    clientId: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    ...oauth,
  },
  designOauth: { accessToken: "sk-ant-oat01-design", refreshToken: "sk-ant-ort01-design", expiresAt: 1_900_000_000_000 },
});

function credentialsFile(content: unknown): string {
  const path = join(tempDir(), ".credentials.json");
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe("Claude Code credentials, today's shape", () => {
  test("keeps rateLimitTier, subscriptionType and clientId; ignores designOauth", () => {
    const tokens = readClaudeCodeCredentials(credentialsFile(todaysFile()));
    expect(tokens).toEqual({
      access_token: "sk-ant-oat01-today",
      refresh_token: "sk-ant-ort01-today",
      expires_at: 1_900_000_000,
      token_type: "Bearer",
      scopes: ["user:file_upload", "user:inference", "user:mcp_servers", "user:profile", "user:sessions:claude_code"],
      subscription_type: "max",
      rate_limit_tier: "default_claude_max_20x",
      client_id: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
      source: "claude-code",
    });
    expect(JSON.stringify(tokens)).not.toContain("design");
  });

  test.each([
    [
      "the old shape (no rateLimitTier, no clientId)",
      {
        claudeAiOauth: {
          accessToken: "sk-ant-oat01-x",
          refreshToken: "sk-ant-ort01-y",
          expiresAt: 1_900_000_000_000,
          scopes: ["user:inference"],
          subscriptionType: "pro",
        },
      },
    ],
    ["null plan and tier", todaysFile({ subscriptionType: null, rateLimitTier: null, clientId: null })],
    [
      "odd values in fields kept for information",
      todaysFile({ subscriptionType: 5, rateLimitTier: { tier: 1 }, clientId: "", scopes: "user:inference" }),
    ],
    ["no refresh token (a setup-token login)", todaysFile({ refreshToken: null, expiresAt: null })],
  ])("still imports %s", (_name, content) => {
    const tokens = readClaudeCodeCredentials(credentialsFile(content));
    expect(tokens.access_token).toStartWith("sk-ant-oat01-");
    expect(tokens.client_id === undefined || typeof tokens.client_id === "string").toBe(true);
    for (const key of ["subscription_type", "rate_limit_tier", "client_id"]) {
      if (key in tokens) expect(typeof tokens[key]).toBe("string");
    }
  });

  test.each([
    ["the form Claude Code leaves behind", { accessToken: "", refreshToken: "", expiresAt: 0 }],
    ["with null refresh token", { accessToken: "", refreshToken: null, expiresAt: 0 }],
    ["without refresh token", { accessToken: "", refreshToken: undefined, expiresAt: undefined }],
  ])("a revoked login (%s) says so and what to run", (_name, emptied) => {
    const path = credentialsFile(todaysFile(emptied));
    let message = "";
    try {
      readClaudeCodeCredentials(path);
    } catch (error) {
      expect(error).toBeInstanceOf(LoginError);
      message = (error as Error).message;
    }
    expect(message).toContain("Claude Code's login was revoked: run `claude` to log in again");
    expect(message).toContain("maximize login --import-claude-code");
    expect(message).not.toContain("no usable");
    expect(message).not.toContain("sk-ant-");
  });

  test("an emptied access token next to a live refresh token asks to run claude once", () => {
    const path = credentialsFile(todaysFile({ accessToken: "", expiresAt: 0 }));
    expect(() => readClaudeCodeCredentials(path)).toThrow(/no access token — run `claude` once/);
  });

  test("a designOauth login alone is not a Claude login", () => {
    const path = credentialsFile({ designOauth: todaysFile().designOauth });
    expect(() => readClaudeCodeCredentials(path)).toThrow(/claudeAiOauth is required\).*log in with `claude`/);
  });
});

describe("importClaudeCode", () => {
  const oauth = loadConfig({ env: {}, cwd: "/" }).oauth;
  const noNetwork: Fetch = () => Promise.reject(new Error("no network in this test"));

  test("a revoked login imports nothing: the existing token file is untouched", async () => {
    const store = createTokenStore(join(tempDir(), "tokens.json"));
    store.write({ access_token: "sk-ant-oat01-mine", refresh_token: "sk-ant-ort01-mine", expires_at: 2_000_000_000 });
    const path = credentialsFile(todaysFile({ accessToken: "", refreshToken: "", expiresAt: 0 }));
    await expect(importClaudeCode({ fetch: noNetwork, oauth, store }, path)).rejects.toThrow(/login was revoked/);
    expect(store.read()).toEqual({ access_token: "sk-ant-oat01-mine", refresh_token: "sk-ant-ort01-mine", expires_at: 2_000_000_000 });
  });

  test("a login about to expire is refreshed with its own client id, and the stored login keeps it", async () => {
    const store = createTokenStore(join(tempDir(), "tokens.json"));
    const now = 1_900_000_000_000;
    const path = credentialsFile(todaysFile({ expiresAt: now + 60_000, clientId: "claude-code-next" }));
    const sent: Record<string, string>[] = [];
    const fetch: Fetch = async (_url, init) => {
      sent.push(JSON.parse(String(init?.body)));
      const body = {
        access_token: "sk-ant-oat01-fresh",
        refresh_token: "sk-ant-ort01-fresh",
        expires_in: 28800,
        scope: "user:inference user:profile",
      };
      return Response.json(body);
    };
    const { tokens, refreshed } = await importClaudeCode({ fetch, oauth, store, now: () => now }, path);
    expect(refreshed).toBe(true);
    expect(sent).toEqual([
      {
        grant_type: "refresh_token",
        refresh_token: "sk-ant-ort01-today",
        client_id: "claude-code-next",
        scope: "user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
      },
    ]);
    expect(store.read()).toEqual(tokens);
    expect(tokens).toMatchObject({
      access_token: "sk-ant-oat01-fresh",
      client_id: "claude-code-next",
      subscription_type: "max",
      rate_limit_tier: "default_claude_max_20x",
      source: "claude-code",
    });
  });
});
