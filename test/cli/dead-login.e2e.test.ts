import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { writeSecretFile } from "../../src/auth/store.ts";
import { freePort } from "../support/binary.ts";
import { approveInBrowser, cliWorld, runCli, startCli, type CliWorld, useFakeAndProcesses } from "./helpers.ts";

// Issue 17.1: after the login has died, nothing may say "logged in".

const env = useFakeAndProcesses();

function worldWith(tokens: Record<string, unknown>): CliWorld {
  const world = cliWorld(env.fake);
  writeSecretFile(world.tokenFile, JSON.stringify(tokens));
  return world;
}

/** An expired access token whose refresh token the token endpoint refuses. */
function deadRefreshLogin(): CliWorld {
  const pair = env.fake.issueTokens({ expiresIn: -60 });
  env.fake.revokeRefreshToken(pair.refresh_token);
  return worldWith({ ...pair });
}

/** A long-lived token (no refresh token) that the API has revoked. */
function revokedLongLivedLogin(): CliWorld {
  const { access_token } = env.fake.issueTokens({ expiresIn: 365 * 86400 });
  env.fake.revokeAccessToken(access_token);
  return worldWith({ access_token, refresh_token: null, expires_at: null });
}

const ask = (url: string) =>
  fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "l", max_tokens: 32, messages: [{ role: "user", content: "Hi" }] }),
  });

async function serving(world: CliWorld): Promise<string> {
  const port = freePort();
  const cli = startCli(world, ["serve", "--port", String(port)]);
  env.track(cli);
  await cli.waitFor(/listening on/);
  return `http://127.0.0.1:${port}`;
}

describe("maximize status, when the login has died", () => {
  test("an expired token whose refresh is refused: 'login expired or revoked', exit 1, recorded so it is not asked again", async () => {
    const world = deadRefreshLogin();
    const first = await runCli(world, ["status"]);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/logged in\s+no — login expired or revoked/);
    expect(first.stdout).toMatch(/problem\s+login expired or revoked .*run `maximize login`/);
    expect(first.stdout).not.toContain("refreshed automatically");
    expect(JSON.parse(readFileSync(world.tokenFile, "utf8")).login_dead).toMatchObject({ reason: expect.any(String) });

    const calls = env.fake.refreshCalls;
    const json = await runCli(world, ["status", "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ logged_in: false, method: "oauth", error: expect.stringContaining("maximize login") });
    expect(env.fake.refreshCalls).toBe(calls);
  });

  test("an expired token that can be refreshed: status refreshes it and says so, exit 0", async () => {
    const pair = env.fake.issueTokens({ expiresIn: -60 });
    const world = worldWith({ ...pair });
    const result = await runCli(world, ["status"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/logged in\s+yes — Claude login/);
    expect(result.stdout).toMatch(/expires\s+in (8h 0m|7h 59m) — refreshed automatically/);
    expect(JSON.parse(readFileSync(world.tokenFile, "utf8")).refresh_token).not.toBe(pair.refresh_token);
  });

  test("a long-lived token past its expiry: 'login expired', exit 1", async () => {
    const world = worldWith({ access_token: `sk-ant-oat01-${"q".repeat(90)}`, refresh_token: null, expires_at: Date.now() / 1000 - 60 });
    const result = await runCli(world, ["status"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("login expired — this long-lived Claude token has passed its expiry");
    expect(result.stdout).toContain("claude setup-token");
  });
});

describe("maximize serve, when the login dies while it runs", () => {
  test("a refused refresh: the request gets 401, and /healthz, /auth/status, /status.json and `status` all say so", async () => {
    const world = deadRefreshLogin();
    const url = await serving(world);

    const response = await ask(url);
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("login expired or revoked");

    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ status: "ok", logged_in: false, error: expect.any(String) });
    expect(await (await fetch(`${url}/auth/status`)).json()).toMatchObject({
      logged_in: false,
      method: "oauth",
      error: expect.stringContaining("maximize login"),
    });
    expect(await (await fetch(`${url}/status.json`)).json()).toMatchObject({ auth: { logged_in: false, error: expect.any(String) } });
    const status = await runCli(world, ["status"]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/no — login expired or revoked/);

    const calls = env.fake.refreshCalls;
    expect((await ask(url)).status).toBe(401);
    expect(env.fake.refreshCalls).toBe(calls); // known dead: not asked again
  });

  test("an expired token while the token endpoint is down: still logged in, but /auth/status says why requests fail", async () => {
    const pair = env.fake.issueTokens({ expiresIn: -60 });
    const world = worldWith({ ...pair });
    env.fake.fault({ route: "token", status: 500, times: 100 });
    const url = await serving(world);
    const response = await ask(url);
    expect(response.status).toBe(503);
    expect(await (await fetch(`${url}/auth/status`)).json()).toMatchObject({
      logged_in: true,
      error: expect.stringContaining("could not refresh the Claude token"),
    });
    env.fake.clearFaults();
    expect((await ask(url)).status).toBe(200); // the endpoint is back: refreshed, and the problem is gone
    expect(await (await fetch(`${url}/auth/status`)).json()).not.toHaveProperty("error");
  });

  test("a revoked long-lived token: the API's own 401 reaches the client, then /auth/status and status say so", async () => {
    const world = revokedLongLivedLogin();
    const url = await serving(world);
    const response = await ask(url);
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("OAuth token has been revoked"); // Anthropic's answer, whole
    expect(await (await fetch(`${url}/auth/status`)).json()).toMatchObject({
      logged_in: false,
      error: expect.stringContaining("login refused — the API answered 401 to this long-lived Claude token"),
    });
    // Not written down (a 401 may come from the request's shape): another process asks the API itself.
    expect(JSON.parse(readFileSync(world.tokenFile, "utf8")).login_dead).toBeUndefined();
    const status = await runCli(world, ["status"]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/login refused — the API answered 401 \(OAuth token has been revoked/);
  });

  test("one 401 for a long-lived token that works (a request-shape problem): later requests are not blocked, and it clears", async () => {
    const { access_token } = env.fake.issueTokens({ expiresIn: 365 * 86400 });
    const world = worldWith({ access_token, refresh_token: null, expires_at: null });
    const url = await serving(world);
    env.fake.fault({ status: 401, times: 1 });
    expect((await ask(url)).status).toBe(401);
    expect(await (await fetch(`${url}/auth/status`)).json()).toMatchObject({
      logged_in: false,
      error: expect.stringContaining("login refused"),
    });
    expect((await ask(url)).status).toBe(200);
    expect(await (await fetch(`${url}/auth/status`)).json()).toMatchObject({ logged_in: true });
    expect(JSON.parse(readFileSync(world.tokenFile, "utf8")).login_dead).toBeUndefined();
  });

  test("a refresh refused for a reason other than invalid_grant (invalid_scope: maybe the config): said, not written down", async () => {
    const pair = env.fake.issueTokens({ expiresIn: -60 });
    const world = worldWith({ ...pair });
    env.fake.fault({ route: "token", status: 400, body: { error: "invalid_scope", error_description: "unknown scope" }, times: 100 });
    const url = await serving(world);
    expect((await ask(url)).status).toBe(401);
    const auth = (await (await fetch(`${url}/auth/status`)).json()) as { error?: string };
    expect(auth.error).toContain("check oauth.token_url, oauth.client_id and oauth.scopes");
    expect(JSON.parse(readFileSync(world.tokenFile, "utf8")).login_dead).toBeUndefined();
    env.fake.clearFaults();
  });

  test("logging in again (maximize login) clears it", async () => {
    const world = deadRefreshLogin();
    expect((await runCli(world, ["status"])).code).toBe(1);
    const url = (await runCli(world, ["login", "--print-url"])).stdout.trim();
    const done = await runCli(world, ["login", `--code=${await approveInBrowser(url)}`]);
    expect(done.code).toBe(0);
    expect(JSON.parse(readFileSync(world.tokenFile, "utf8")).login_dead).toBeUndefined();
    const result = await runCli(world, ["status"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/logged in\s+yes — Claude login/);
  });
});
