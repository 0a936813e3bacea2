import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { writeSecretFile } from "../../src/auth/store.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { freePort, requireBinary } from "../support/binary.ts";
import { approveInBrowser, cliWorld } from "./helpers.ts";
import { startPty, type Pty } from "./pty.ts";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());

const open: Pty[] = [];
afterEach(() => {
  for (const pty of open.splice(0)) pty.kill();
});

const AUTHORIZE = /(http:\/\/127\.0\.0\.1:\d+\/\S*authorize\?\S+)/;

describe("the interactive login wizard on a real terminal", () => {
  test("shows the URL, takes the pasted code, writes the token file 0600", async () => {
    const world = cliWorld(fake);
    const pty = startPty(world, ["login", "--no-browser"]);
    open.push(pty);
    await pty.waitFor(/What happens/);
    const [, url] = await pty.waitFor(AUTHORIZE);
    await pty.waitFor(/Paste the code/);
    const pasted = await approveInBrowser(url!);

    pty.type(`${pasted}\r`);
    await pty.waitFor(/Logged in/);
    expect(await pty.exited).toBe(0);
    const screen = pty.screen();
    expect(screen).toContain("user@example.com (Fake Org)");
    expect(screen).toMatch(/Token expires in (8h 0m|7h 59m)/);

    const tokens = JSON.parse(readFileSync(world.tokenFile, "utf8")) as { access_token: string };
    expect(tokens.access_token).toStartWith("sk-ant-oat01-");
    expect(statSync(world.tokenFile).mode & 0o777).toBe(0o600);
    expect(screen).not.toContain(tokens.access_token);
  });

  test("with the default config it shows Claude Code's Pro/Max login page with today's scopes", async () => {
    const world = cliWorld(fake);
    delete world.env.MAXIMIZE_OAUTH_AUTHORIZE_URL;
    const pty = startPty(world, ["login", "--no-browser"]);
    open.push(pty);
    const [, shown] = await pty.waitFor(/(https:\/\/\S*authorize\?\S+)/);
    const url = new URL(shown!);
    expect(`${url.origin}${url.pathname}`).toBe("https://claude.com/cai/oauth/authorize");
    expect(url.searchParams.get("scope")).toBe(
      "org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
    );
    await pty.waitFor(/Paste the code/);
    pty.type("\x03");
    await pty.waitFor(/Login cancelled — nothing was stored/);
    expect(await pty.exited).toBe(1);
  });

  test("a code from another attempt is rejected in place; Ctrl-C then leaves the existing login untouched", async () => {
    const world = cliWorld(fake);
    const existing = `${JSON.stringify({ ...fake.issueTokens(), account: { email_address: "old@example.com" } })}\n`;
    writeSecretFile(world.tokenFile, existing);
    const pty = startPty(world, ["login", "--no-browser"]);
    open.push(pty);
    await pty.waitFor(/You are logged in as old@example.com/);
    const [, url] = await pty.waitFor(AUTHORIZE);
    await pty.waitFor(/Paste the code/);
    const [code] = (await approveInBrowser(url!)).split("#");

    const mark = pty.screen().length;
    pty.type(`${code}#some-other-state\r`);
    await pty.waitFor(/does not match this login attempt/, mark);
    pty.type("\x03");
    await pty.waitFor(/Login cancelled — your existing login is unchanged/);
    expect(await pty.exited).toBe(1);
    expect(readFileSync(world.tokenFile, "utf8")).toBe(existing);
  });
});

describe("the interactive menu on a real terminal", () => {
  test("Start → Stop → Start on the same port, Token status, Exit stops the proxy", async () => {
    const port = freePort();
    const world = cliWorld(fake, { MAXIMIZE_PORT: String(port) });
    writeSecretFile(world.tokenFile, JSON.stringify({ ...fake.issueTokens(), account: { email_address: "menu@example.com" } }));
    const url = `http://127.0.0.1:${port}`;
    const healthy = () =>
      fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    const pty = startPty(world, []);
    open.push(pty);

    await pty.waitFor(/What would you like to do\?[\s\S]*Start proxy/);
    let mark = pty.screen().length;
    pty.type("\r");
    await pty.waitFor(new RegExp(`Proxy running on ${url}[\\s\\S]*Stop proxy`), mark);
    expect(await healthy()).toBe(true);

    mark = pty.screen().length;
    pty.type("\r");
    await pty.waitFor(/Proxy stopped — the port is free[\s\S]*Start proxy/, mark);
    expect(await healthy()).toBe(false);

    mark = pty.screen().length;
    pty.type("\r");
    await pty.waitFor(new RegExp(`Proxy running on ${url}[\\s\\S]*Stop proxy`), mark);
    expect(await healthy()).toBe(true);

    mark = pty.screen().length;
    pty.type("\x1b[B\x1b[B\x1b[B\r"); // Login, Refresh token, Token status
    await pty.waitFor(/account\s+menu@example\.com[\s\S]*\(running\)[\s\S]*Proxy running on/, mark);

    mark = pty.screen().length;
    pty.type("\x1b[A\r"); // up from the top wraps round to Exit
    await pty.waitFor(/Bye/, mark);
    expect(await pty.exited).toBe(0);
    expect(await healthy()).toBe(false);
  });
});

describe("the compiled binary on a real terminal", () => {
  // The menu, the wizard and their prompt library are dynamic imports, split out of `serve`'s start-up: these load
  // them from inside the executable.
  test("the menu loads and exits", async () => {
    const world = cliWorld(fake, { MAXIMIZE_PORT: String(freePort()) });
    const pty = startPty(world, [], [requireBinary()]);
    open.push(pty);
    await pty.waitFor(/What would you like to do\?[\s\S]*Start proxy/);
    const mark = pty.screen().length;
    pty.type("\x1b[A\r"); // up from the top wraps round to Exit
    await pty.waitFor(/Bye/, mark);
    expect(await pty.exited).toBe(0);
  });

  test("the login wizard loads and logs in", async () => {
    const world = cliWorld(fake);
    const pty = startPty(world, ["login", "--no-browser"], [requireBinary()]);
    open.push(pty);
    const [, url] = await pty.waitFor(AUTHORIZE);
    await pty.waitFor(/Paste the code/);
    pty.type(`${await approveInBrowser(url!)}\r`);
    await pty.waitFor(/Logged in/);
    expect(await pty.exited).toBe(0);
    expect(statSync(world.tokenFile).mode & 0o777).toBe(0o600);
  });
});
