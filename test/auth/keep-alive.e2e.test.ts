import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { writeSecretFile } from "../../src/auth/store.ts";
import { REFRESH_LEAD_SECONDS } from "../../src/auth/tokens.ts";
import { eventually } from "../support/eventually.ts";
import { freePort } from "../support/binary.ts";
import { cliWorld, startCli, type CliWorld, type RunningCli, useFakeAndProcesses } from "../cli/helpers.ts";

// Issue 16.2: a proxy idle overnight must still work in the morning — the login is refreshed with no traffic at all.

const env = useFakeAndProcesses();

function serve(world: CliWorld): RunningCli {
  const cli = startCli(world, ["serve", "--port", String(freePort())]);
  env.track(cli);
  return cli;
}

/** A login whose access token enters its refresh window about a second after start-up. */
function loginAboutToNeedRefresh(): { world: CliWorld; refreshToken: string } {
  const world = cliWorld(env.fake);
  const pair = env.fake.issueTokens({ expiresIn: REFRESH_LEAD_SECONDS + 1 });
  writeSecretFile(world.tokenFile, JSON.stringify(pair));
  return { world, refreshToken: pair.refresh_token };
}

const stored = (world: CliWorld) => JSON.parse(readFileSync(world.tokenFile, "utf8")) as Record<string, unknown>;

describe("keep-alive refresh while serve runs", () => {
  test("with no requests at all, the token is refreshed as it enters its refresh window", async () => {
    const { world, refreshToken } = loginAboutToNeedRefresh();
    const before = env.fake.refreshCalls;
    const cli = startCli(world, ["serve", "--debug", "--port", String(freePort())]);
    env.track(cli);
    await cli.waitFor(/listening on/);
    await cli.waitFor(/refreshed the Claude access token/);
    // The keep-alive has scheduled its next look (hours away): a refresh loop would have refreshed again by now.
    await cli.waitFor(/keep-alive: the Claude token is good for 4\d\d more minutes/);
    expect(env.fake.refreshCalls).toBe(before + 1);
    expect(stored(world).refresh_token).not.toBe(refreshToken);
    const after = stored(world).expires_at as number;
    expect(after - Date.now() / 1000).toBeGreaterThan(REFRESH_LEAD_SECONDS + 60);
    expect(cli.output().match(/refreshed the Claude access token/g)).toHaveLength(1);
  });

  test("two processes sharing one token file: exactly one refresh between them", async () => {
    const { world, refreshToken } = loginAboutToNeedRefresh();
    const before = env.fake.refreshCalls;
    const first = startCli(world, ["serve", "--debug", "--port", String(freePort())]);
    const second = startCli(world, ["serve", "--debug", "--port", String(freePort())]);
    env.track(first);
    env.track(second);
    // Each has looked after the refresh (a new token is good for about 8 hours = 480 minutes).
    const renewed = /keep-alive: the Claude token is good for 4\d\d more minutes/;
    await Promise.all([first.waitFor(renewed), second.waitFor(renewed)]);
    expect(env.fake.refreshCalls).toBe(before + 1);
    expect(stored(world).refresh_token).not.toBe(refreshToken);
  }, 15_000);

  test("a refresh token the endpoint refuses: logged once, as 'login expired or revoked', before any request", async () => {
    const { world, refreshToken } = loginAboutToNeedRefresh();
    env.fake.revokeRefreshToken(refreshToken);
    const cli = serve(world);
    await cli.waitFor(/WARN\s+Claude login: login expired or revoked .*run `maximize login`/);
    await eventually(() => expect(stored(world).login_dead).toBeDefined());
  });

  test("the token endpoint down: retried with backoff, not given up", async () => {
    const { world, refreshToken } = loginAboutToNeedRefresh();
    env.fake.fault({ route: "token", status: 503, times: 1 });
    const cli = serve(world);
    await cli.waitFor(/token refresh failed/);
    expect(stored(world).refresh_token).toBe(refreshToken); // kept for the retry, 30 s later
    expect(stored(world).login_dead).toBeUndefined();
  });
});
