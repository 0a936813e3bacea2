import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pendingLoginPath } from "../../src/auth/login.ts";
import { pkceChallenge, startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { freePort, requireBinary } from "../support/binary.ts";
import { approveInBrowser, type CliResult, cliWorld, runCli, type CliWorld, readJson, fileMode } from "./helpers.ts";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());

/** Step 1 of the headless login; returns the URL printed on stdout. */
async function printUrl(world: CliWorld): Promise<string> {
  const result = await runCli(world, ["login", "--print-url"]);
  expect(result.code).toBe(0);
  const lines = result.stdout.trim().split("\n");
  expect(lines).toHaveLength(1); // stdout is only the URL, so `$(maximize login --print-url)` works
  expect(result.stderr).toContain("maximize login --code");
  return lines[0]!;
}

describe("headless login: --print-url then --code", () => {
  test("end to end against the fake: PKCE verified, tokens stored 0600, pending file removed", async () => {
    const world = cliWorld(fake);
    const url = await printUrl(world);
    const query = new URL(url).searchParams;
    const pending = readJson(pendingLoginPath(world.tokenFile));
    expect(fileMode(pendingLoginPath(world.tokenFile))).toBe(0o600);
    expect(query.get("code_challenge")).toBe(pkceChallenge(String(pending.verifier)));
    expect(query.get("state")).not.toBe(pending.verifier);
    expect(url).not.toContain(String(pending.verifier));

    const pasted = await approveInBrowser(url);
    const exchangesBefore = fake.exchangeCalls;
    const done = await runCli(world, ["login", `--code=${pasted}`]);
    expect(done.stderr).toBe("");
    expect(done.code).toBe(0);
    expect(done.stdout).toContain("Logged in as user@example.com (Fake Org)");
    expect(done.stdout).toMatch(/expires in 7h 59m|expires in 8h 0m/);
    expect(fake.exchangeCalls).toBe(exchangesBefore + 1);

    const exchange = fake.tokenRequests.at(-1)!.body as Record<string, string>;
    expect(exchange.grant_type).toBe("authorization_code");
    expect(exchange.code_verifier).toBe(String(pending.verifier));
    expect(exchange.state).not.toBe(exchange.code_verifier);

    const tokens = readJson(world.tokenFile);
    expect(String(tokens.access_token)).toStartWith("sk-ant-oat01-");
    expect(String(tokens.refresh_token)).toStartWith("sk-ant-ort01-");
    expect(fileMode(world.tokenFile)).toBe(0o600);
    expect(existsSync(pendingLoginPath(world.tokenFile))).toBe(false);
    expect(done.stdout).not.toContain(String(tokens.access_token));
  });

  test("with the default config the URL is Claude Code's Pro/Max login page with today's scopes", async () => {
    const world = cliWorld(fake);
    delete world.env.MAXIMIZE_OAUTH_AUTHORIZE_URL;
    const url = new URL(await printUrl(world));
    expect(`${url.origin}${url.pathname}`).toBe("https://claude.com/cai/oauth/authorize");
    expect(url.searchParams.get("scope")).toBe(
      "org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
    );
    expect(url.searchParams.get("redirect_uri")).toBe("https://platform.claude.com/oauth/code/callback");
  });

  test("the full callback URL is accepted too", async () => {
    const world = cliWorld(fake);
    const [code, state] = (await approveInBrowser(await printUrl(world))).split("#");
    const callback = `https://platform.claude.com/oauth/code/callback?code=${code}&state=${state}`;
    const done = await runCli(world, ["login", `--code=${callback}`]);
    expect(done.code).toBe(0);
    expect(existsSync(world.tokenFile)).toBe(true);
  });

  test("a state mismatch is refused: exit 1, nothing stored, the pending login kept for a retry", async () => {
    const world = cliWorld(fake);
    const url = await printUrl(world);
    const [code] = (await approveInBrowser(url)).split("#");
    const exchangesBefore = fake.exchangeCalls;
    const refused = await runCli(world, ["login", `--code=${code}#not-the-state`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("does not match this login attempt");
    expect(fake.exchangeCalls).toBe(exchangesBefore);
    expect(existsSync(world.tokenFile)).toBe(false);
    expect(existsSync(pendingLoginPath(world.tokenFile))).toBe(true);
  });

  test("--code without --print-url first says what to run", async () => {
    const world = cliWorld(fake);
    const result = await runCli(world, ["login", "--code=abc#def"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no login in progress");
    expect(result.stderr).toContain("maximize login --print-url");
  });

  test("an expired pending login says to start again", async () => {
    const world = cliWorld(fake);
    await printUrl(world);
    const path = pendingLoginPath(world.tokenFile);
    writeFileSync(path, JSON.stringify({ ...readJson(path), expires_at_ms: Date.now() - 1 }), { mode: 0o600 });
    const result = await runCli(world, ["login", "--code=abc#def"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/expired.*run `maximize login --print-url` again/);
  });

  test("a code the token endpoint refuses: exit 1 with the reason, token file untouched", async () => {
    const world = cliWorld(fake);
    const url = await printUrl(world);
    const state = new URL(url).searchParams.get("state");
    const result = await runCli(world, ["login", `--code=made-up-code#${state}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("invalid_grant");
    expect(result.stderr).toContain("open the login URL again");
    expect(existsSync(world.tokenFile)).toBe(false);
  });
});

/** The five `user:*` scopes Claude Code sends on every refresh (the user:* part of the default login scopes). */
const REFRESH_SCOPE = "user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload";
const refreshBodies = () =>
  fake.tokenRequests.map((r) => r.body as Record<string, string>).filter((body) => body.grant_type === "refresh_token");

/** A login through the fake's authorize page asking for `scope` (e.g. what maximize asked for before Dec 2026). */
async function loginAskingFor(world: CliWorld, scope: string): Promise<void> {
  const url = new URL(await printUrl(world));
  url.searchParams.set("scope", scope);
  const done = await runCli(world, ["login", `--code=${await approveInBrowser(url.toString())}`]);
  expect(done.code).toBe(0);
}

describe("refresh after a login, as Claude Code refreshes", () => {
  test("`maximize refresh` sends scope; the rotated token file keeps working for the next refresh", async () => {
    const world = cliWorld(fake);
    const pasted = await approveInBrowser(await printUrl(world));
    expect((await runCli(world, ["login", `--code=${pasted}`])).code).toBe(0);
    const loggedIn = readJson(world.tokenFile);

    const first = await runCli(world, ["refresh"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/refreshed — the new token expires in (7h 59m|8h 0m)/);
    expect(refreshBodies().at(-1)).toEqual({
      grant_type: "refresh_token",
      refresh_token: String(loggedIn.refresh_token),
      client_id: fake.clientId,
      scope: REFRESH_SCOPE,
    });
    const refreshed = readJson(world.tokenFile);
    expect(refreshed.refresh_token).not.toBe(loggedIn.refresh_token);
    expect(refreshed.scopes).toBe("user:file_upload user:inference user:mcp_servers user:profile user:sessions:claude_code");
    expect(refreshed.account).toEqual(loggedIn.account);
    expect(fileMode(world.tokenFile)).toBe(0o600);

    const second = await runCli(world, ["refresh"]);
    expect(second.code).toBe(0);
    expect(refreshBodies().at(-1)).toMatchObject({ refresh_token: String(refreshed.refresh_token), scope: REFRESH_SCOPE });
    for (const output of [first.stdout, first.stderr, second.stdout, second.stderr]) {
      expect(output).not.toContain(String(refreshed.access_token));
      expect(output).not.toContain(String(refreshed.refresh_token));
    }
  });

  test("an old-shaped token file from a login granted fewer scopes keeps working (asked again without scope)", async () => {
    const world = cliWorld(fake);
    await loginAskingFor(world, "org:create_api_key user:profile user:inference");
    const { access_token, refresh_token, expires_at } = readJson(world.tokenFile);
    // Exactly what the ported tool wrote: three fields, nothing else.
    writeFileSync(world.tokenFile, JSON.stringify({ access_token, refresh_token, expires_at }), { mode: 0o600 });
    const before = refreshBodies().length;

    const result = await runCli(world, ["refresh"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(
      refreshBodies()
        .slice(before)
        .map((body) => body.scope),
    ).toEqual([REFRESH_SCOPE, undefined]);
    const stored = readJson(world.tokenFile);
    expect(stored.refresh_token).not.toBe(refresh_token);
    expect(stored.scopes).toBe("user:inference user:profile");
    expect((await runCli(world, ["refresh"])).code).toBe(0);
  });

  test("a refresh token the endpoint refuses: exit 1, says to log in again, token file kept and marked dead", async () => {
    const world = cliWorld(fake);
    const pair = fake.issueTokens();
    fake.revokeRefreshToken(pair.refresh_token);
    mkdirSync(join(world.tokenFile, ".."), { recursive: true });
    writeFileSync(world.tokenFile, JSON.stringify(pair), { mode: 0o600 });
    const result = await runCli(world, ["refresh"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("invalid_grant");
    expect(result.stderr).toContain("run `maximize login`");
    // Kept, marked dead so that `status` and every other process know without asking again.
    expect(readJson(world.tokenFile)).toEqual({
      ...pair,
      login_dead: { at: expect.any(Number), reason: expect.stringContaining("invalid_grant") },
    });
  });
});

/** `maximize ARGS` with the compiled binary (what users run), in the same world as runCli. */
async function runBinary(world: CliWorld, args: string[], stdin?: string): Promise<CliResult> {
  const child = Bun.spawn([requireBinary(), ...args], {
    cwd: world.dir,
    env: world.env,
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** What `claude setup-token` prints: an access token valid for about a year, without refresh token. */
const setupToken = () => fake.issueTokens({ expiresIn: 365 * 86_400 }).access_token;
const modelsAsked = () => fake.requests.filter((r) => r.path === "/v1/models").length;

describe("login --token (compiled binary)", () => {
  test("a token the API accepts is checked once, stored 0600, and the output says so and how long it lasts", async () => {
    const world = cliWorld(fake);
    const token = setupToken();
    const before = modelsAsked();
    const result = await runBinary(world, ["login", "--token", token]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Logged in with the long-lived token, checked against the API");
    expect(result.stdout).toContain("token has no recorded expiry (a token from `claude setup-token` lasts a year");
    expect(result.stdout).not.toContain("expires no expiry");
    expect(result.stdout).not.toContain(token);
    expect(modelsAsked()).toBe(before + 1);
    expect(readJson(world.tokenFile)).toMatchObject({ access_token: token, refresh_token: null, expires_at: null });
    expect(fileMode(world.tokenFile)).toBe(0o600);
  });

  test("reads the token from stdin with --token -", async () => {
    const world = cliWorld(fake);
    const token = setupToken();
    const result = await runBinary(world, ["login", "--token", "-"], `${token}\n`);
    expect(result.code).toBe(0);
    expect(readJson(world.tokenFile).access_token).toBe(token);
  });

  test("a revoked token is refused: exit 1, says what to do, nothing stored", async () => {
    const world = cliWorld(fake);
    const token = setupToken();
    fake.revokeAccessToken(token);
    const result = await runBinary(world, ["login", "--token", token]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the Anthropic API refused this token (401: OAuth token has been revoked");
    expect(result.stderr).toContain("claude setup-token");
    expect(result.stderr).toContain("--no-check");
    expect(result.stderr).not.toContain(token);
    expect(existsSync(world.tokenFile)).toBe(false);
  });

  test("a well-formed but mistyped token is refused and an existing login is left as it was", async () => {
    const world = cliWorld(fake);
    const good = setupToken();
    expect((await runBinary(world, ["login", "--token", good])).code).toBe(0);
    const result = await runBinary(world, ["login", "--token", `sk-ant-oat01-${"Z".repeat(95)}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("refused this token (401");
    expect(readJson(world.tokenFile).access_token).toBe(good);
  });

  test("--no-check stores without asking the API, and says it was not checked", async () => {
    const world = cliWorld(fake);
    const token = `sk-ant-oat01-${"N".repeat(95)}`;
    const before = modelsAsked();
    const result = await runBinary(world, ["login", "--token", token, "--no-check"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("not checked: --no-check");
    expect(modelsAsked()).toBe(before);
    expect(readJson(world.tokenFile).access_token).toBe(token);
  });

  test("the API unreachable: stored anyway, with a warning that it could not be checked", async () => {
    const world = cliWorld(fake, { MAXIMIZE_UPSTREAM_URL: `http://127.0.0.1:${freePort()}` });
    const token = `sk-ant-oat01-${"U".repeat(95)}`;
    const result = await runBinary(world, ["login", "--token", token]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Stored the long-lived token");
    expect(result.stdout).not.toContain("checked against the API");
    expect(result.stderr).toContain("could not check it against the API (cannot reach the Anthropic API at");
    expect(readJson(world.tokenFile).access_token).toBe(token);
  });

  test("a malformed token is refused before any request and nothing is written", async () => {
    const world = cliWorld(fake);
    const before = modelsAsked();
    const result = await runBinary(world, ["login", "--token", "sk-ant-oat01-short"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("does not look like a Claude OAuth token");
    expect(modelsAsked()).toBe(before);
    expect(existsSync(world.tokenFile)).toBe(false);
  });
});

describe("login --import-claude-code", () => {
  const writeClaudeCredentials = (path: string, oauth: Record<string, unknown>) => {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(
      path,
      JSON.stringify({ claudeAiOauth: { scopes: ["user:inference", "user:profile"], subscriptionType: "max", ...oauth } }),
    );
  };

  test("imports from CLAUDE_CONFIG_DIR, converting milliseconds to seconds, without refreshing a fresh login", async () => {
    const world = cliWorld(fake);
    const pair = fake.issueTokens();
    writeClaudeCredentials(join(world.env.CLAUDE_CONFIG_DIR!, ".credentials.json"), {
      accessToken: pair.access_token,
      refreshToken: pair.refresh_token,
      expiresAt: pair.expires_at * 1000,
    });
    const refreshesBefore = fake.refreshCalls;
    const result = await runCli(world, ["login", "--import-claude-code"]);
    expect(result.stderr).not.toContain("error");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Imported the Claude Code login");
    expect(fake.refreshCalls).toBe(refreshesBefore);
    expect(readJson(world.tokenFile)).toMatchObject({
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      expires_at: pair.expires_at,
    });
    expect(fileMode(world.tokenFile)).toBe(0o600);
  });

  test("--from a fixture file near expiry: refreshed first, the rotated pair stored", async () => {
    const world = cliWorld(fake);
    const pair = fake.issueTokens({ expiresIn: 60 });
    const fixture = join(world.dir, "fixture", "credentials.json");
    writeClaudeCredentials(fixture, {
      accessToken: pair.access_token,
      refreshToken: pair.refresh_token,
      expiresAt: pair.expires_at * 1000,
    });
    const refreshesBefore = fake.refreshCalls;
    const result = await runCli(world, ["login", "--import-claude-code", "--from", fixture]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("refreshed it first");
    expect(fake.refreshCalls).toBe(refreshesBefore + 1);
    const stored = readJson(world.tokenFile);
    expect(stored.refresh_token).not.toBe(pair.refresh_token);
    expect(stored.access_token).not.toBe(pair.access_token);
    expect(Number(stored.expires_at)).toBeGreaterThan(Date.now() / 1000 + 3600);
  });

  test("today's file: plan, rate-limit tier and client id are kept, designOauth is ignored", async () => {
    const world = cliWorld(fake);
    const pair = fake.issueTokens();
    const design = fake.issueTokens();
    const path = join(world.env.CLAUDE_CONFIG_DIR!, ".credentials.json");
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(
      path,
      JSON.stringify({
        claudeAiOauth: {
          accessToken: pair.access_token,
          refreshToken: pair.refresh_token,
          expiresAt: pair.expires_at * 1000,
          scopes: ["user:file_upload", "user:inference", "user:mcp_servers", "user:profile", "user:sessions:claude_code"],
          subscriptionType: "max",
          rateLimitTier: "default_claude_max_20x",
          clientId: fake.clientId,
        },
        designOauth: { accessToken: design.access_token, refreshToken: design.refresh_token, expiresAt: design.expires_at * 1000 },
      }),
    );
    const result = await runCli(world, ["login", "--import-claude-code"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Imported the Claude Code login (Claude max plan)");
    const stored = readJson(world.tokenFile);
    expect(stored).toMatchObject({
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      subscription_type: "max",
      rate_limit_tier: "default_claude_max_20x",
      client_id: fake.clientId,
      source: "claude-code",
    });
    expect(JSON.stringify(stored)).not.toContain(design.access_token);
  });

  test("an imported client id beats the configured one on every refresh", async () => {
    const world = cliWorld(fake, { MAXIMIZE_OAUTH_CLIENT_ID: "someone-elses-client" });
    const pair = fake.issueTokens();
    const fixture = join(world.dir, "creds.json");
    writeClaudeCredentials(fixture, {
      accessToken: pair.access_token,
      refreshToken: pair.refresh_token,
      expiresAt: pair.expires_at * 1000,
      clientId: fake.clientId,
    });
    expect((await runCli(world, ["login", "--import-claude-code", "--from", fixture])).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const result = await runCli(world, ["refresh"]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(refreshBodies().at(-1)).toMatchObject({ client_id: fake.clientId, scope: REFRESH_SCOPE });
    }
    expect(readJson(world.tokenFile)).toMatchObject({ client_id: fake.clientId, source: "claude-code", subscription_type: "max" });
  });

  test("a login Claude Code emptied after its refresh token died: says it was revoked, imports nothing", async () => {
    const world = cliWorld(fake);
    writeClaudeCredentials(join(world.env.CLAUDE_CONFIG_DIR!, ".credentials.json"), { accessToken: "", refreshToken: "", expiresAt: 0 });
    const tokenRequests = fake.tokenRequests.length;
    const result = await runCli(world, ["login", "--import-claude-code"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Claude Code's login was revoked: run `claude` to log in again");
    expect(result.stderr).not.toContain("no usable");
    expect(existsSync(world.tokenFile)).toBe(false);
    expect(fake.tokenRequests.length).toBe(tokenRequests);
  });

  test("no Claude Code login: a clear message and exit 1", async () => {
    const world = cliWorld(fake);
    const result = await runCli(world, ["login", "--import-claude-code"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no Claude Code login found at ${join(world.env.CLAUDE_CONFIG_DIR!, ".credentials.json")}`);
  });

  test("an expired login whose refresh token is dead is refused", async () => {
    const world = cliWorld(fake);
    const pair = fake.issueTokens({ expiresIn: -10 });
    fake.revokeRefreshToken(pair.refresh_token);
    const fixture = join(world.dir, "creds.json");
    writeClaudeCredentials(fixture, {
      accessToken: pair.access_token,
      refreshToken: pair.refresh_token,
      expiresAt: pair.expires_at * 1000,
    });
    const result = await runCli(world, ["login", "--import-claude-code", "--from", fixture]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("run `claude` to log in again");
    expect(existsSync(world.tokenFile)).toBe(false);
  });
});

describe("login usage errors (exit 2)", () => {
  test.each([
    [["login", "--print-url", "--token", "x"], /choose one of/],
    [["login", "--from", "/x"], /--from only goes with --import-claude-code/],
    [["login", "--print-url", "--no-check"], /--no-check only goes with --token/],
    [["login"], /needs a terminal.*--print-url/],
    [["login", "--bogus"], /maximize login: unknown option --bogus\. See maximize login --help\./],
  ])("maximize %p", async (args, message) => {
    const result = await runCli(cliWorld(fake), args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
