import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claudeCodeCredentialsPath, readClaudeCodeCredentials } from "../../src/auth/claude-code.ts";
import { checkLongLivedToken, loadPendingLogin, LoginError, PENDING_LOGIN_TTL_MS, pendingLoginPath, savePendingLogin } from "../../src/auth/login.ts";
import { createPkce } from "../../src/auth/pkce.ts";

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
    const claudeAiOauth = { accessToken: "sk-ant-oat01-x", refreshToken: "sk-ant-ort01-y", expiresAt: 1_900_000_000_123, scopes: ["user:inference"], subscriptionType: "max" };
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
