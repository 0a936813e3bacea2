import { afterAll, beforeAll, expect, test } from "bun:test";
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
