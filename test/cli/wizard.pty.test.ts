import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeSecretFile } from "../../src/auth/store.ts";
import { DISCLAIMER } from "../../src/cli/wizard.ts";
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

  test("--account NAME: the login goes to the account's file, 0600; the token file is untouched", async () => {
    const world = cliWorld(fake);
    writeSecretFile(world.tokenFile, JSON.stringify(fake.issueTokens()));
    const before = readFileSync(world.tokenFile, "utf8");
    const pty = startPty(world, ["login", "--no-browser", "--account", "work"]);
    open.push(pty);
    await pty.waitFor(/maximize login \(account "work"\)/);
    const [, url] = await pty.waitFor(AUTHORIZE);
    await pty.waitFor(/Paste the code/);
    pty.type(`${await approveInBrowser(url!)}\r`);
    await pty.waitFor(/Logged in \(account "work"\)/);
    expect(await pty.exited).toBe(0);
    const file = join(world.dir, "state", "accounts", "work.json");
    expect(pty.screen()).toContain(file);
    expect(JSON.parse(readFileSync(file, "utf8")).access_token).toStartWith("sk-ant-oat01-");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(world.tokenFile, "utf8")).toBe(before);
  });

  test("--api-key on a terminal asks for the key without echoing it", async () => {
    const world = cliWorld(fake);
    const key = `sk-ant-api03-${"t".repeat(90)}AA`;
    const pty = startPty(world, ["login", "--api-key", "--account", "paid"]);
    open.push(pty);
    await pty.waitFor(/Paste the Anthropic API key/);
    pty.type(`${key}\r`);
    await pty.waitFor(/Stored the Anthropic API key as account "paid"/);
    expect(await pty.exited).toBe(0);
    expect(pty.screen()).not.toContain(key);
    const file = join(world.dir, "state", "accounts", "paid.json");
    expect(JSON.parse(readFileSync(file, "utf8")).api_key).toBe(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test("--no-browser: the box promises no browser; at 80 columns the disclaimer is wrapped whole to the width", async () => {
    const world = cliWorld(fake);
    const pty = startPty(world, ["login", "--no-browser"], undefined, 80);
    open.push(pty);
    await pty.waitFor(/Paste the code/);
    const screen = pty.screen();
    expect(screen).toContain("1. Open the URL shown below in a browser: log in and approve access.");
    expect(screen).not.toContain("opens in your browser");

    const box = screen.split("\n").filter((line) => line.startsWith("│") && line.trimEnd().endsWith("│"));
    for (const line of box) expect(line.trimEnd().length).toBeLessThanOrEqual(80);
    const inner = box.map((line) => line.slice(1, line.trimEnd().length - 1).trim());
    const first = inner.findIndex((line) => line.startsWith("maximize is not affiliated"));
    const disclaimer = inner.slice(first, inner.indexOf("", first) === -1 ? undefined : inner.indexOf("", first));
    expect(disclaimer.join(" ")).toBe(DISCLAIMER);
    // Filled lines, not a long one and a stub: each but the last leaves no room for the next word.
    for (const [i, line] of disclaimer.slice(0, -1).entries()) {
      const next = disclaimer[i + 1]!.split(" ")[0]!;
      expect(line.length + 1 + next.length).toBeGreaterThan(74);
    }
    pty.type("\x03");
    expect(await pty.exited).toBe(1);
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
  test("Start → Stop → Start on the same port, Token status, Exit stops the proxy; Enter twice never stops it", async () => {
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

    await pty.waitFor(
      /What would you like to do\?[\s\S]*Logged in as menu@example\.com \(Claude subscription; token expires in[\s\S]*● Start proxy/,
    );
    let mark = pty.screen().length;
    pty.type("\r");
    // After starting, the cursor rests on Token status, not on Stop proxy.
    const [frame] = await pty.waitFor(new RegExp(`Proxy running on ${url}[\\s\\S]*● Token status`), mark);
    expect(frame).toContain("○ Stop proxy");
    expect(await healthy()).toBe(true);

    mark = pty.screen().length;
    pty.type("\r"); // a second Enter: the status, and the proxy keeps running
    await pty.waitFor(/account\s+menu@example\.com[\s\S]*\(running\)[\s\S]*Proxy running on[\s\S]*● Token status/, mark);
    expect(await healthy()).toBe(true);

    mark = pty.screen().length;
    pty.type("\x1b[A\x1b[A\x1b[A\r"); // Refresh token, Login, Stop proxy
    await pty.waitFor(/Proxy stopped — the port is free[\s\S]*● Token status/, mark);
    expect(await healthy()).toBe(false);

    mark = pty.screen().length;
    pty.type("\x1b[A\x1b[A\x1b[A\r"); // up to Start proxy
    await pty.waitFor(new RegExp(`Proxy running on ${url}[\\s\\S]*Stop proxy`), mark);
    expect(await healthy()).toBe(true);

    mark = pty.screen().length;
    pty.type("\x1b[B\x1b[B\r"); // from Token status: Logout, Exit
    await pty.waitFor(/Bye/, mark);
    expect(await pty.exited).toBe(0);
    expect(await healthy()).toBe(false);
  });

  test("Logout without a login says so, without asking to delete a file that is not there", async () => {
    const world = cliWorld(fake, { MAXIMIZE_PORT: String(freePort()) });
    const pty = startPty(world, []);
    open.push(pty);
    await pty.waitFor(/● Start proxy/);
    let mark = pty.screen().length;
    pty.type("\x1b[A\x1b[A\r"); // up from the top: Exit, Logout
    await pty.waitFor(/You are not logged in — there is no \S+tokens\.json to delete\.[\s\S]*What would you like to do\?/, mark);
    expect(pty.screen().slice(mark)).not.toContain("Log out and delete");
    mark = pty.screen().length;
    pty.type("\x1b[B\x1b[B\r"); // after Logout the cursor rests on Token status: down to Logout, Exit
    await pty.waitFor(/Bye/, mark);
    expect(await pty.exited).toBe(0);
  });

  test("Exit while a stream is open: Ctrl-C closes it at once, the menu still ends with Bye, nothing blames the client", async () => {
    const port = freePort();
    const world = cliWorld(fake, { MAXIMIZE_PORT: String(port) });
    writeSecretFile(world.tokenFile, JSON.stringify(fake.issueTokens()));
    const pty = startPty(world, []);
    open.push(pty);
    await pty.waitFor(/● Start proxy/);
    let mark = pty.screen().length;
    pty.type("\r");
    await pty.waitFor(/Proxy running on[\s\S]*● Token status/, mark);

    fake.fault({ kind: "drip", delayMs: 5000 });
    const response = await fetch(`http://127.0.0.1:${port}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "unused" },
      body: JSON.stringify({ model: "l", max_tokens: 32, stream: true, messages: [{ role: "user", content: "Hi" }] }),
    });
    const reader = response.body!.getReader();
    await reader.read();

    mark = pty.screen().length;
    pty.type("\x1b[B\x1b[B\r"); // from Token status: Logout, Exit
    await pty.waitFor(/Stopping the proxy/, mark);
    pty.type("\x03"); // without this the stream would keep the proxy up for 10 s
    await pty.waitFor(/Closing open connections now[\s\S]*Bye/, mark);
    await reader.read().catch(() => undefined);
    expect(await pty.exited).toBe(0);
    // The menu logs at warn: the cut stream's access line (info) is not shown, and nothing blames the client.
    expect(pty.screen()).not.toContain("client closed");
  });

  test.each<
    [
      string,
      (issued: ReturnType<FakeAnthropic["issueTokens"]>) => Record<string, unknown> | string | undefined,
      Record<string, string>,
      RegExp,
    ]
  >([
    ["not logged in", () => undefined, {}, /Not logged in — choose Login/],
    [
      "an expired login that cannot be refreshed",
      (t) => ({ ...t, refresh_token: null, expires_at: Math.floor(Date.now() / 1000) - 600 }),
      {},
      /Login expired 10m ago — choose Login/,
    ],
    ["a long-lived token", (t) => ({ ...t, refresh_token: null, expires_at: null }), {}, /Logged in \(long-lived token\)/],
    [
      "a login the token endpoint refused (marked dead)",
      (t) => ({ ...t, login_dead: { at: 1, reason: "token endpoint answered 400 (invalid_grant)" } }),
      {},
      /Login expired or revoked — choose Login/,
    ],
    ["an API key", () => undefined, { MAXIMIZE_ANTHROPIC_API_KEY: "sk-ant-api03-menu-test" }, /Using an Anthropic API key/],
    ["a damaged token file", () => "{ not json", {}, /Login unusable: .*tokens\.json[\s\S]*— choose Login/],
  ])("the header says the login state: %s", async (_name, tokens, env, header) => {
    const world = cliWorld(fake, { MAXIMIZE_PORT: String(freePort()), ...env });
    const stored = tokens(fake.issueTokens());
    if (stored) writeSecretFile(world.tokenFile, typeof stored === "string" ? stored : JSON.stringify(stored));
    const pty = startPty(world, []);
    open.push(pty);
    await pty.waitFor(new RegExp(`What would you like to do\\?\\s*│\\s*${header.source}`));
    pty.type("\x1b[A\r");
    await pty.waitFor(/Bye/);
    expect(await pty.exited).toBe(0);
  });

  test("the header says how many accounts can serve when there are several", async () => {
    const world = cliWorld(fake, { MAXIMIZE_PORT: String(freePort()) });
    writeSecretFile(world.tokenFile, JSON.stringify(fake.issueTokens()));
    const dead = { ...fake.issueTokens({ account: "work" }), login_dead: { at: 1, reason: "invalid_grant" } };
    writeSecretFile(join(dirname(world.tokenFile), "accounts", "work.json"), JSON.stringify(dead));
    const pty = startPty(world, []);
    open.push(pty);
    await pty.waitFor(/What would you like to do\?\s*│\s*1 of 2 accounts ready: default, work \(dead\)/);
    pty.type("\x1b[A\r");
    await pty.waitFor(/Bye/);
    expect(await pty.exited).toBe(0);
  });

  test("Start without a login warns and offers it: Back, a cancelled login keeps the frame, then log in and start", async () => {
    const port = freePort();
    const world = cliWorld(fake, { MAXIMIZE_PORT: String(port) });
    const healthy = () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    const pty = startPty(world, []);
    open.push(pty);
    await pty.waitFor(/Not logged in — choose Login[\s\S]*● Start proxy/);

    let mark = pty.screen().length;
    pty.type("\r");
    await pty.waitFor(
      /Not logged in: started like this, the proxy answers every API request with 401[\s\S]*Log in first\?[\s\S]*Back to the menu/,
      mark,
    );
    mark = pty.screen().length;
    pty.type("\x1b[A\r"); // Back
    await pty.waitFor(/What would you like to do\?/, mark);
    expect(await healthy()).toBe(false);

    // Start → Log in, then Ctrl-C at the code: the menu goes on inside the same frame.
    mark = pty.screen().length;
    pty.type("\x1b[A\x1b[A\x1b[A\r"); // from Token status up to Start proxy
    await pty.waitFor(/Log in first\?/, mark);
    pty.type("\r");
    await pty.waitFor(/Paste the code/, mark);
    pty.type("\x03");
    const [cancelled] = await pty.waitFor(/.\s+Login cancelled — nothing was stored\.[\s\S]*What would you like to do\?/, mark);
    expect(cancelled).toStartWith("▲"); // a warning inside the frame, not the frame's closing corner (└)
    expect(cancelled).not.toContain("└");
    expect(await healthy()).toBe(false);

    // Start → Log in, then start: the proxy runs with the new login.
    mark = pty.screen().length;
    pty.type("\x1b[A\x1b[A\x1b[A\r");
    await pty.waitFor(/Log in first\?/, mark);
    pty.type("\r");
    const [, link] = await pty.waitFor(AUTHORIZE, mark);
    await pty.waitFor(/Paste the code/, mark);
    pty.type(`${await approveInBrowser(link!)}\r`);
    await pty.waitFor(/Logged in[\s\S]*Proxy running on[\s\S]*Logged in as user@example\.com/, mark);
    expect(await healthy()).toBe(true);

    mark = pty.screen().length;
    pty.type("\x1b[B\x1b[B\r"); // from Token status: Logout, Exit
    await pty.waitFor(/Bye/, mark);
    expect(await pty.exited).toBe(0);
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
