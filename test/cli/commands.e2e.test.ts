import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { pendingLoginPath } from "../../src/auth/login.ts";
import { writeSecretFile } from "../../src/auth/store.ts";
import { VERSION } from "../../src/shared/version.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { freePort } from "../support/binary.ts";
import { cliWorld, runCli, startCli, readJson } from "./helpers.ts";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());

const account = { uuid: "acc-1", email_address: "someone@example.com" };
const organization = { uuid: "org-1", name: "Acme" };

function loggedIn(tokens: Record<string, unknown>) {
  const world = cliWorld(fake, { MAXIMIZE_PORT: "18099" });
  writeSecretFile(world.tokenFile, JSON.stringify(tokens));
  return world;
}

describe("maximize status", () => {
  test("logged in: account, expiry in words, token file, listen address — never the token", async () => {
    const pair = fake.issueTokens({ expiresIn: 2 * 3600 + 30 * 60 + 20 });
    const world = loggedIn({ ...pair, account, organization });
    const result = await runCli(world, ["status"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/logged in\s+yes — Claude login/);
    expect(result.stdout).toMatch(/account\s+someone@example.com \(Acme\)/);
    expect(result.stdout).toMatch(/expires\s+in 2h (30|29)m — refreshed automatically/);
    expect(result.stdout).toContain(world.tokenFile);
    expect(result.stdout).toMatch(/listen\s+http:\/\/127\.0\.0\.1:18099 \(not running\)/);
    expect(result.stdout + result.stderr).not.toContain(pair.access_token);
    expect(result.stdout + result.stderr).not.toContain(pair.refresh_token);
  });

  test("--json: machine-readable, never the token", async () => {
    const pair = fake.issueTokens();
    const world = loggedIn({ ...pair, account, organization });
    const result = await runCli(world, ["status", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      logged_in: true,
      method: "oauth",
      account: "someone@example.com",
      organization: "Acme",
      expires_at: pair.expires_at,
      refreshable: true,
      token_file: world.tokenFile,
      listen: "http://127.0.0.1:18099",
      running: false,
    });
    expect(result.stdout).not.toContain(pair.access_token);
  });

  test("not logged in: says what to run, exit 1", async () => {
    const result = await runCli(cliWorld(fake), ["status"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/logged in\s+no/);
    expect(result.stdout).toContain("run `maximize login`");
  });

  test("a long-lived token: expiry unknown, and how long such tokens last (checked against the API: it works)", async () => {
    const { access_token } = fake.issueTokens({ expiresIn: 365 * 86400 });
    const result = await runCli(loggedIn({ access_token, refresh_token: null, expires_at: null }), ["status"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/expires\s+unknown — a token from `claude setup-token` lasts a year/);
  });

  test("a long-lived token the API does not know: status asks it, says 'login refused', exit 1", async () => {
    const result = await runCli(loggedIn({ access_token: `sk-ant-oat01-${"q".repeat(90)}`, refresh_token: null, expires_at: null }), [
      "status",
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/logged in\s+no — login refused/);
    expect(result.stdout).toContain("claude setup-token");
  });
});

describe("maximize refresh", () => {
  test("spends the refresh token, stores the rotated pair and reports the new expiry", async () => {
    const pair = fake.issueTokens({ expiresIn: 3 * 3600 });
    const world = loggedIn({ ...pair });
    const before = fake.refreshCalls;
    const result = await runCli(world, ["refresh"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/refreshed — the new token expires in (8h 0m|7h 59m)/);
    expect(fake.refreshCalls).toBe(before + 1);
    const stored = readJson(world.tokenFile);
    expect(stored.refresh_token).not.toBe(pair.refresh_token);
    expect(statSync(world.tokenFile).mode & 0o777).toBe(0o600);
    expect(result.stdout + result.stderr).not.toContain(String(stored.access_token));
  });

  test("a revoked refresh token: exit 1 and says to log in again", async () => {
    const pair = fake.issueTokens();
    fake.revokeRefreshToken(pair.refresh_token);
    const result = await runCli(loggedIn({ ...pair }), ["refresh"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("maximize login");
    expect(result.stderr).not.toContain(pair.refresh_token);
  });

  test("a long-lived token has nothing to refresh", async () => {
    const result = await runCli(loggedIn({ access_token: `sk-ant-oat01-${"q".repeat(90)}`, refresh_token: null, expires_at: null }), [
      "refresh",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no refresh token");
  });

  test("not logged in", async () => {
    const result = await runCli(cliWorld(fake), ["refresh"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("not logged in to Claude: run `maximize login`");
  });
});

describe("maximize logout", () => {
  test("--yes removes the token file and a pending login", async () => {
    const world = loggedIn({ ...fake.issueTokens() });
    writeSecretFile(pendingLoginPath(world.tokenFile), "{}");
    const result = await runCli(world, ["logout", "--yes"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`logged out — deleted ${world.tokenFile}`);
    expect(existsSync(world.tokenFile)).toBe(false);
    expect(existsSync(pendingLoginPath(world.tokenFile))).toBe(false);
  });

  test("without a terminal no question is asked; nothing to remove is not an error", async () => {
    const result = await runCli(cliWorld(fake), ["logout"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("not logged in");
  });
});

describe("help, version, usage errors", () => {
  test("maximize --help lists every command", async () => {
    const result = await runCli(cliWorld(fake), ["--help"]);
    expect(result.code).toBe(0);
    for (const name of ["serve", "login", "status", "accounts", "refresh", "logout", "health"])
      expect(result.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
  });

  test.each(["serve", "login", "status", "accounts", "refresh", "logout", "health"])(
    "maximize %s --help, also as `maximize help NAME`",
    async (name) => {
      const world = cliWorld(fake);
      const viaFlag = await runCli(world, [name, "--help"]);
      expect(viaFlag.code).toBe(0);
      expect(viaFlag.stdout).toStartWith(`Usage: maximize ${name}`);
      expect((await runCli(world, ["help", name])).stdout).toBe(viaFlag.stdout);
    },
  );

  test("--version", async () => {
    const result = await runCli(cliWorld(fake), ["--version"]);
    expect(result).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  test.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["status", "extra"], /unexpected argument "extra"/],
    [["status", "--yes"], /maximize status: unknown option --yes\. See maximize status --help\./],
    [["--port", "nope", "status"], /--port is "nope"/],
  ])("maximize %p exits 2 (or 1 for bad config) with one line", async (args, message) => {
    const result = await runCli(cliWorld(fake), args);
    expect(result.code).toBe(args[0] === "--port" ? 1 : 2);
    expect(result.stderr).toMatch(message);
  });

  test("a bare `maximize` without a terminal serves", async () => {
    const cli = startCli(cliWorld(fake, { MAXIMIZE_PORT: String(freePort()) }), []);
    await cli.waitFor(/listening on/);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });
});
