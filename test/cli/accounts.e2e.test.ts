import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { AccountView } from "../../src/accounts/view.ts";
import { writeApiKeyAccount } from "../../src/auth/accounts.ts";
import { writeSecretFile } from "../../src/auth/store.ts";
import { loadConfig } from "../../src/config/load.ts";
import { startServer } from "../../src/server/serve.ts";
import { createLogger } from "../../src/shared/log.ts";
import { freePort } from "../support/binary.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { cliWorld, runCli, type CliWorld } from "./helpers.ts";

// Issue 15.1: `maximize accounts` — from the running proxy's GET /accounts, else from the files.

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());

const KEY = `sk-ant-api03-${"q".repeat(90)}AA`;
const accountsDir = (world: CliWorld) => join(world.dir, "state", "accounts");

/** default: a live login; paid: an API key; old: a login whose refresh token was refused (login_dead in its file). */
function threeAccounts(port = freePort()): CliWorld {
  const world = cliWorld(fake, { MAXIMIZE_PORT: String(port), MAXIMIZE_API_KEYS: "proxy-key-number-one" });
  writeSecretFile(world.tokenFile, JSON.stringify({ ...fake.issueTokens(), account: { email_address: "me@example.com" } }));
  writeApiKeyAccount(join(accountsDir(world), "paid.json"), KEY);
  const dead = { ...fake.issueTokens({ expiresIn: -60 }), account: { email_address: "old@example.com" } };
  writeSecretFile(
    join(accountsDir(world), "old.json"),
    JSON.stringify({ ...dead, login_dead: { at: Math.floor(Date.now() / 1000), reason: "invalid_grant" } }),
  );
  return world;
}

const rowOf = (stdout: string, name: string) => stdout.split("\n").find((line) => line.startsWith(`${name} `)) ?? "";

describe("maximize accounts, no proxy running: from the files", () => {
  test("the table: a login ready with its e-mail, an API key ready, a dead login with why; exit 0; never a token or key", async () => {
    const world = threeAccounts();
    const result = await runCli(world, ["accounts"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NAME\s+KIND\s+STATE\s+E-MAIL\s+PLAN\s+LAST ERROR$/m);
    // Its plan, asked of the usage endpoint (the fake's default plan: 7-day 34 %, the fullest window).
    expect(rowOf(result.stdout, "default")).toMatch(/^default\s+Claude login\s+ready\s+me@example\.com\s+34 %$/);
    expect(rowOf(result.stdout, "paid")).toMatch(/^paid\s+API key\s+ready\s+—\s+—$/);
    expect(rowOf(result.stdout, "old")).toMatch(/^old\s+Claude login\s+dead\s+old@example\.com\s+—\s+\S/);
    expect(result.stderr).toContain("old: log in with `maximize login --account old`");
    expect(result.stdout).toContain("from the account files");
    expect(result.stdout).not.toContain(KEY);
    expect(result.stdout).not.toContain("sk-ant-o");
    expect(result.stdout).not.toContain("\x1b["); // NO_COLOR
  });

  test("--json: every account's view and where it came from", async () => {
    const world = threeAccounts();
    const result = await runCli(world, ["accounts", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { accounts: AccountView[]; from: string };
    expect(report.from).toBe("files");
    expect(report.accounts.map((a) => [a.name, a.kind, a.state])).toEqual([
      ["default", "oauth", "ready"],
      ["old", "oauth", "dead"],
      ["paid", "api_key", "ready"],
    ]);
    expect(report.accounts.find((a) => a.name === "paid")).toMatchObject({ file: join(accountsDir(world), "paid.json"), email: null });
    expect(report.accounts.find((a) => a.name === "old")?.last_error?.message).toBeString();
    expect(result.stdout).not.toContain(KEY);
  });

  test("no usable account: exit 1 and what to do", async () => {
    const world = cliWorld(fake, { MAXIMIZE_PORT: String(freePort()) });
    const pair = fake.issueTokens({ expiresIn: -60 });
    writeSecretFile(join(accountsDir(world), "old.json"), JSON.stringify({ ...pair, login_dead: { at: 1, reason: "invalid_grant" } }));
    const result = await runCli(world, ["accounts"]);
    expect(result.code).toBe(1);
    expect(rowOf(result.stdout, "old")).toContain("dead");
    expect(rowOf(result.stdout, "default")).toBe(""); // no token file and another account: no empty default row
    expect(result.stderr).toContain("maximize login");

    const nothing = await runCli(cliWorld(fake, { MAXIMIZE_PORT: String(freePort()) }), ["accounts", "--json"]);
    expect(nothing.code).toBe(1);
    expect(JSON.parse(nothing.stdout).accounts).toMatchObject([{ name: "default", state: "not_logged_in" }]);
  });
});

/**
 * A stand-in for a running proxy on the configured port: /healthz, and GET /accounts answered as the contract says
 * (`{ "accounts": AccountView[] }`) or with an error. Records the proxy key each request carried.
 */
function standInProxy(port: number, accounts: (keys: (string | null)[]) => Response) {
  const keys: (string | null)[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/healthz") return Response.json({ status: "ok" });
      if (path === "/accounts") {
        keys.push(request.headers.get("x-api-key"));
        return accounts(keys);
      }
      return new Response("not found", { status: 404 });
    },
  });
  return { keys, [Symbol.dispose]: () => void server.stop(true) };
}

const cooling: AccountView = {
  name: "work",
  kind: "oauth",
  file: "/somewhere/accounts/work.json",
  state: "cooling",
  logged_in: true,
  email: "work@example.com",
  expires_at: null,
  plan: null,
  utilization: 0.97,
  cooling_until: new Date(Date.now() + 2 * 3600_000).toISOString(),
  cooling_reason: "5-hour limit reached",
  last_error: { at: new Date().toISOString(), message: "429 rate_limit_error: plan limit reached" },
  requests: 12,
};

describe("maximize accounts, with a proxy running", () => {
  test("asks its GET /accounts with the first proxy key: cooldowns and plan use show", async () => {
    const port = freePort();
    const world = threeAccounts(port);
    using proxy = standInProxy(port, () => Response.json({ accounts: [{ ...cooling, state: "ready", name: "default" }, cooling] }));
    const table = await runCli(world, ["accounts"]);
    expect(table.code).toBe(0);
    expect(rowOf(table.stdout, "work")).toMatch(
      /^work\s+Claude login\s+cooling until \S+( \S+)?\s+work@example\.com\s+97 %\s+429 rate_limit_error/,
    );
    expect(table.stdout).toContain(`from the proxy running on http://127.0.0.1:${port}`);
    const json = await runCli(world, ["accounts", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ from: "proxy", accounts: [{ name: "default" }, { name: "work", state: "cooling" }] });
    expect(proxy.keys).toEqual(["proxy-key-number-one", "proxy-key-number-one"]);
  });

  test("every account cooling: exit 1", async () => {
    const port = freePort();
    using _proxy = standInProxy(port, () => Response.json({ accounts: [cooling] }));
    const result = await runCli(threeAccounts(port), ["accounts", "--json"]);
    expect(result.code).toBe(1);
  });

  test.each([
    ["an error status", () => Response.json({ error: { message: "no such route" } }, { status: 404 })],
    ["a body of another shape", () => Response.json({ accounts: "none" })],
  ])("a proxy that answers /accounts with %s: the files instead", async (_name, answer) => {
    const port = freePort();
    using _proxy = standInProxy(port, answer);
    const result = await runCli(threeAccounts(port), ["accounts", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { accounts: AccountView[]; from: string };
    expect(report.from).toBe("files");
    expect(report.accounts.map((a) => a.name)).toEqual(["default", "old", "paid"]);
  });
});

describe("logout and refresh --account", () => {
  test("refresh --account NAME spends that account's refresh token only; the token file is untouched", async () => {
    const world = threeAccounts();
    const pair = fake.issueTokens({ expiresIn: 3 * 3600 });
    const file = join(accountsDir(world), "work.json");
    writeSecretFile(file, JSON.stringify(pair));
    const before = readFileSync(world.tokenFile, "utf8");
    const calls = fake.refreshCalls;
    const result = await runCli(world, ["refresh", "--account", "work"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/refreshed account "work" — the new token expires in (8h 0m|7h 59m)/);
    expect(fake.refreshCalls).toBe(calls + 1);
    expect(JSON.parse(readFileSync(file, "utf8")).refresh_token).not.toBe(pair.refresh_token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(world.tokenFile, "utf8")).toBe(before);
  });

  test("refresh of an API-key account: nothing to refresh (exit 1, nothing asked)", async () => {
    const calls = fake.refreshCalls;
    const result = await runCli(threeAccounts(), ["refresh", "--account", "paid"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('account "paid" is an Anthropic API key: there is no login token to refresh');
    expect(result.stderr).not.toContain(KEY);
    expect(fake.refreshCalls).toBe(calls);
  });

  test("logout --account NAME deletes that account's file and its pending login, nothing else", async () => {
    const world = threeAccounts();
    const file = join(accountsDir(world), "paid.json");
    writeSecretFile(join(accountsDir(world), "paid.login-pending.json"), "{}");
    const result = await runCli(world, ["logout", "--account", "paid"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`logged out of account "paid" — deleted ${file}`);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(join(accountsDir(world), "paid.login-pending.json"))).toBe(false);
    expect(existsSync(world.tokenFile)).toBe(true);
    expect(existsSync(join(accountsDir(world), "old.json"))).toBe(true);
  });

  test.each([["logout"], ["refresh"]])("%s of an unknown account says so and lists the accounts there are", async (command) => {
    const world = threeAccounts();
    const result = await runCli(world, [command, "--account", "nope"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('there is no account "nope"');
    expect(result.stderr).toContain("the accounts are: default, old, paid");
    expect(existsSync(world.tokenFile)).toBe(true);
  });

  test.each([["logout"], ["refresh"]])("%s with a bad name is a usage error naming the rule", async (command) => {
    const result = await runCli(threeAccounts(), [command, "--account", "../tokens"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("1–32 lower-case letters, digits, _ or -");
    expect(result.stderr).toContain(`maximize ${command} --help`);
  });
});

describe("maximize accounts against a real proxy", () => {
  test("the proxy's own view: what it sent with each account, and the dead one", async () => {
    const port = freePort();
    const world = threeAccounts(port);
    const running = startServer({
      config: loadConfig({ cwd: world.dir, env: world.env }),
      log: createLogger({ level: "error", write: () => {} }),
    });
    try {
      await running.ready;
      const sent = await fetch(`${running.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "proxy-key-number-one", "x-maximize-account": "default" },
        body: JSON.stringify({ model: "l", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(sent.status).toBe(200);
      const result = await runCli(world, ["accounts", "--json"]);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as { from: string; accounts: AccountView[] };
      expect(report.from).toBe("proxy");
      const byName = Object.fromEntries(report.accounts.map((view) => [view.name, view]));
      expect(byName.default?.requests).toBeGreaterThanOrEqual(1); // the catalogue fetch may have gone there too
      expect(byName.default?.state).toBe("ready");
      expect(byName.old?.state).toBe("dead");
      expect(byName.paid?.kind).toBe("api_key");
      expect(result.stdout).not.toContain(KEY);
    } finally {
      await running.stop(0);
    }
  });
});
