import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { writeApiKeyAccount } from "../../src/auth/accounts.ts";
import { writeSecretFile } from "../../src/auth/store.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { cliWorld, runCli } from "./helpers.ts";
import { startProxy } from "../support/proxy.ts";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
  fake.setPlan({ windows: { "5h": { utilization: 0.42 }, "7d": { utilization: 0.91 } } });
});
afterAll(() => fake.close());

function loggedIn(extra: Record<string, string> = {}) {
  const world = cliWorld(fake, { MAXIMIZE_PORT: "18096", ...extra });
  writeSecretFile(world.tokenFile, JSON.stringify(fake.issueTokens()));
  return world;
}

test("maximize usage without a running proxy: the usage endpoint, one bar per window, percent and reset", async () => {
  const result = await runCli(loggedIn(), ["usage"]);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain("from the usage endpoint");
  expect(result.stdout).toMatch(/5-hour\s+█+░+\s+42 %\s+resets \S+, in (2h|3h)/);
  expect(result.stdout).toMatch(/7-day\s+█+░*\s+91 %/);
  expect(result.stdout).not.toContain("\x1b["); // no colour without a terminal
});

test("--json: per account, status and each window's utilization (0–1) and resets_at (ISO 8601)", async () => {
  const result = await runCli(loggedIn(), ["usage", "--json"]);
  const report = JSON.parse(result.stdout) as {
    accounts: { account: string; windows: Record<string, { utilization: number; resets_at: string }> }[];
    from: string;
  };
  expect(report.from).toBe("usage_api");
  expect(report.accounts[0]!.windows.five_hour).toEqual({ utilization: 0.42, resets_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
});

test("with a proxy running, it asks the proxy (which learnt the plan from an answer's headers)", async () => {
  const world = loggedIn();
  await using proxy = await startProxy(fake, {
    tokens: fake.issueTokens(),
    env: { MAXIMIZE_PORT: "18096" },
    edit: (config) => (config.server.port = 18096),
  });
  const result = await runCli(world, ["usage", "--json"]);
  expect(JSON.parse(result.stdout)).toMatchObject({
    from: "proxy",
    accounts: [{ source: "headers", windows: { five_hour: { utilization: 0.42 } } }],
  });
  expect(proxy.url).toContain("18096");
});

test("maximize status shows the plan in one line", async () => {
  const result = await runCli(loggedIn(), ["status"]);
  expect(result.stdout).toMatch(/plan\s+5-hour 42 % \(resets in \S+( \S+)?\), 7-day 91 %/);
});

test("not logged in: says so, exit 1", async () => {
  const result = await runCli(cliWorld(fake), ["usage"]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("maximize login");
});

describe("several accounts (issue 15)", () => {
  /** default and work: Claude logins; paid: an API key; old: a dead login. */
  function severalAccounts() {
    const world = loggedIn();
    const dir = join(world.dir, "state", "accounts");
    writeSecretFile(join(dir, "work.json"), JSON.stringify(fake.issueTokens()));
    writeApiKeyAccount(join(dir, "paid.json"), `sk-ant-api03-${"p".repeat(90)}AA`);
    const dead = fake.issueTokens({ expiresIn: -60 });
    writeSecretFile(join(dir, "old.json"), JSON.stringify({ ...dead, login_dead: { at: 1, reason: "invalid_grant" } }));
    return world;
  }

  test("no proxy: the usage endpoint asked with every Claude login, each under its name; API keys skipped; a dead login said", async () => {
    const world = severalAccounts();
    const result = await runCli(world, ["usage"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^default .*from the usage endpoint/m);
    expect(result.stdout).toMatch(/^work .*from the usage endpoint/m);
    expect(result.stdout.match(/5-hour\s+█+░+\s+42 %/g)).toHaveLength(2);
    expect(result.stdout).not.toContain("paid");
    expect(result.stderr).toMatch(/^account "old" could not be asked: .*maximize login/m);

    const json = JSON.parse((await runCli(world, ["usage", "--json"])).stdout) as {
      accounts: { account: string }[];
      failed: { account: string; error: string }[];
    };
    expect(json.accounts.map((a) => a.account).sort()).toEqual(["default", "work"]);
    expect(json.failed).toEqual([{ account: "old", error: expect.stringContaining("maximize login") }]);
  });

  test("maximize status: the default account's plan, and a line per account", async () => {
    const result = await runCli(severalAccounts(), ["status"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/plan\s+5-hour 42 %/);
    expect(result.stdout).toMatch(/^accounts\s+default\s+Claude login\s+ready$/m);
    expect(result.stdout).toMatch(/^\s+old\s+Claude login\s+dead$/m);
    expect(result.stdout).toMatch(/^\s+paid\s+API key\s+ready$/m);
    expect(result.stdout).toMatch(/^\s+work\s+Claude login\s+ready\s+— maximize accounts$/m);
    const json = JSON.parse((await runCli(severalAccounts(), ["status", "--json"])).stdout) as { accounts: unknown[] };
    expect(json.accounts).toHaveLength(4);
  });

  test("maximize status exits 0 while any account can serve, even with the default one logged out; 1 when none can", async () => {
    const world = cliWorld(fake);
    const dir = join(world.dir, "state", "accounts");
    writeSecretFile(join(dir, "work.json"), JSON.stringify(fake.issueTokens()));
    const result = await runCli(world, ["status"]);
    expect(result.stdout).toMatch(/^accounts\s+work\s+Claude login\s+ready/m);
    expect(result.code).toBe(0);
    writeSecretFile(join(dir, "work.json"), JSON.stringify({ ...fake.issueTokens(), login_dead: { at: 1, reason: "invalid_grant" } }));
    writeSecretFile(join(dir, "more.json"), JSON.stringify({ ...fake.issueTokens(), login_dead: { at: 1, reason: "invalid_grant" } }));
    expect((await runCli(world, ["status"])).code).toBe(1);
  });

  test("one account only: status has no accounts lines", async () => {
    const result = await runCli(loggedIn(), ["status", "--json"]);
    expect(JSON.parse(result.stdout).accounts).toBeUndefined();
  });
});
