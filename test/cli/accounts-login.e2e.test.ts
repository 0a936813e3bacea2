import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeSecretFile } from "../../src/auth/store.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { approveInBrowser, cliWorld, runCli, type CliWorld, readJson, fileMode } from "./helpers.ts";

// Issue 15.1: `maximize login --account NAME` — every login form writes <accounts_dir>/<name>.json, never the token file.

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());

const accountsDir = (world: CliWorld) => join(world.dir, "state", "accounts");

/** A world whose default account is already logged in, so a test can see the token file left alone. */
function withDefaultLogin(): { world: CliWorld; before: string } {
  const world = cliWorld(fake);
  writeSecretFile(world.tokenFile, JSON.stringify(fake.issueTokens()));
  return { world, before: readFileSync(world.tokenFile, "utf8") };
}

describe("login --account NAME", () => {
  test("--print-url then --code: the pending login and the login go beside the account's file, the token file is untouched", async () => {
    const { world, before } = withDefaultLogin();
    const started = await runCli(world, ["login", "--account", "work", "--print-url"]);
    expect(started.code).toBe(0);
    expect(started.stderr).toContain("maximize login --account work --code=");
    const pending = join(accountsDir(world), "work.login-pending.json");
    expect(fileMode(pending)).toBe(0o600);
    expect(existsSync(join(world.dir, "state", "login-pending.json"))).toBe(false);

    const pasted = await approveInBrowser(started.stdout.trim());
    const done = await runCli(world, ["login", "--account", "work", `--code=${pasted}`]);
    expect(done.stderr).toBe("");
    expect(done.code).toBe(0);
    const file = join(accountsDir(world), "work.json");
    expect(done.stdout).toContain("Logged in as user@example.com");
    expect(done.stdout).toContain(`account "work", stored in ${file}`);
    expect(String(readJson(file).refresh_token)).toStartWith("sk-ant-ort01-");
    expect(fileMode(file)).toBe(0o600);
    expect(existsSync(pending)).toBe(false);
    expect(readFileSync(world.tokenFile, "utf8")).toBe(before);
  });

  test("--code for one account does not take another account's pending login", async () => {
    const world = cliWorld(fake);
    const started = await runCli(world, ["login", "--account", "work", "--print-url"]);
    const pasted = await approveInBrowser(started.stdout.trim());
    const wrong = await runCli(world, ["login", `--code=${pasted}`]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("no login in progress");
    expect(existsSync(world.tokenFile)).toBe(false);
  });

  test("--token: checked against the API, stored 0600 in the account's file, the token file untouched", async () => {
    const { world, before } = withDefaultLogin();
    const token = fake.issueTokens({ expiresIn: 365 * 86_400 }).access_token;
    const result = await runCli(world, ["login", "--token", "-", "--account", "team-2"], { stdin: `${token}\n` });
    expect(result.code).toBe(0);
    const file = join(accountsDir(world), "team-2.json");
    expect(result.stdout).toContain("Logged in with the long-lived token, checked against the API");
    expect(result.stdout).toContain(`account "team-2", stored in ${file}`);
    expect(result.stdout).not.toContain(token);
    expect(readJson(file)).toMatchObject({ access_token: token, refresh_token: null });
    expect(fileMode(file)).toBe(0o600);
    expect(readFileSync(world.tokenFile, "utf8")).toBe(before);
  });

  test("--import-claude-code: Claude Code's login copied into the account's file, the token file untouched", async () => {
    const { world, before } = withDefaultLogin();
    const pair = fake.issueTokens();
    const from = join(world.dir, "claude-credentials.json");
    writeFileSync(
      from,
      JSON.stringify({
        claudeAiOauth: { accessToken: pair.access_token, refreshToken: pair.refresh_token, expiresAt: pair.expires_at * 1000 },
      }),
    );
    const result = await runCli(world, ["login", "--import-claude-code", "--from", from, "--account", "cc"]);
    expect(result.code).toBe(0);
    const file = join(accountsDir(world), "cc.json");
    expect(result.stdout).toContain(`account "cc", stored in ${file}`);
    expect(readJson(file)).toMatchObject({ access_token: pair.access_token, refresh_token: pair.refresh_token });
    expect(fileMode(file)).toBe(0o600);
    expect(readFileSync(world.tokenFile, "utf8")).toBe(before);
  });

  test("without --account the login is the default account's, in the token file, as always", async () => {
    const world = cliWorld(fake);
    const token = fake.issueTokens({ expiresIn: 365 * 86_400 }).access_token;
    const result = await runCli(world, ["login", "--token", token]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`account "default", stored in ${world.tokenFile}`);
    expect(readJson(world.tokenFile).access_token).toBe(token);
    expect(existsSync(accountsDir(world))).toBe(false);
  });

  test.each([["Work"], ["-x"], ["a.b"], ["x".repeat(33)], [""]])("a bad name (%p) is a usage error naming the rule", async (name) => {
    const world = cliWorld(fake);
    const result = await runCli(world, ["login", "--account", name, "--print-url"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--account");
    expect(result.stderr).toContain("1–32 lower-case letters, digits, _ or -");
    expect(result.stderr).toContain("maximize login --help");
    expect(result.stdout).toBe("");
  });
});

describe("login --api-key", () => {
  const KEY = `sk-ant-api03-${"k".repeat(90)}AA`;

  test("from stdin (no value, no terminal): account api-key, 0600, the key never printed, the token file untouched", async () => {
    const { world, before } = withDefaultLogin();
    const result = await runCli(world, ["login", "--api-key"], { stdin: `${KEY}\n` });
    expect(result.code).toBe(0);
    const file = join(accountsDir(world), "api-key.json");
    expect(result.stdout).toContain('Stored the Anthropic API key as account "api-key"');
    expect(result.stdout).toContain('no --account given: API keys go to the account "api-key"');
    expect(result.stdout).toContain(`stored in ${file}`);
    expect(result.stdout + result.stderr).not.toContain(KEY);
    expect(readJson(file).api_key).toBe(KEY);
    expect(fileMode(file)).toBe(0o600);
    expect(readFileSync(world.tokenFile, "utf8")).toBe(before);
  });

  test("from the flag's value with --account, and from stdin with `-`", async () => {
    const world = cliWorld(fake);
    const flag = await runCli(world, ["login", "--api-key", KEY, "--account", "paid"]);
    expect(flag.code).toBe(0);
    expect(flag.stdout).not.toContain("no --account given");
    expect(flag.stdout + flag.stderr).not.toContain(KEY);
    expect(readJson(join(accountsDir(world), "paid.json")).api_key).toBe(KEY);

    const other = `sk-ant-api03-${"z".repeat(90)}AA`;
    const piped = await runCli(world, ["login", "--account", "paid2", "--api-key", "-"], { stdin: other });
    expect(piped.code).toBe(0);
    expect(readJson(join(accountsDir(world), "paid2.json")).api_key).toBe(other);
    const again = await runCli(world, ["login", "--account", "paid2", "--api-key", KEY]);
    expect(again.stdout).toContain('Stored the Anthropic API key as account "paid2" (replacing what it held)');
    expect(readJson(join(accountsDir(world), "paid2.json")).api_key).toBe(KEY);
    expect(existsSync(world.tokenFile)).toBe(false);
  });

  test("a Claude login token is refused with what to do instead; nothing stored, nothing printed", async () => {
    const world = cliWorld(fake);
    const token = fake.issueTokens().access_token;
    const result = await runCli(world, ["login", "--api-key", "-"], { stdin: token });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Claude login token (sk-ant-oat…), not an Anthropic API key");
    expect(result.stderr).toContain("maximize login --token -");
    expect(result.stdout + result.stderr).not.toContain(token);
    expect(existsSync(join(accountsDir(world), "api-key.json"))).toBe(false);
  });

  test("a doubtful shape is stored with a note; an empty stdin is an error", async () => {
    const world = cliWorld(fake);
    const odd = await runCli(world, ["login", "--api-key", "my-gateway-key-123"]);
    expect(odd.code).toBe(0);
    expect(odd.stderr).toContain("note: the key does not look like an Anthropic API key");
    expect(odd.stderr).not.toContain("my-gateway-key-123");
    const empty = await runCli(world, ["login", "--api-key", "--account", "x"]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("no API key given");
    expect(existsSync(join(accountsDir(world), "x.json"))).toBe(false);
  });

  test("--api-key with another login form is a usage error", async () => {
    const result = await runCli(cliWorld(fake), ["login", "--api-key", KEY, "--print-url"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("choose one of");
    expect(result.stderr).not.toContain(KEY);
  });
});
