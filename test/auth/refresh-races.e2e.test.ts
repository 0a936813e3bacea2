import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenStore } from "../../src/auth/store.ts";
import { startBinary } from "../support/binary.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startProxy } from "../support/proxy.ts";
import { eventually } from "../support/eventually.ts";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function fakeUpstream() {
  const fake = await startFakeAnthropic();
  cleanup.push(() => fake.close());
  return fake;
}

async function proxyOn(fake: FakeAnthropic, options: Parameters<typeof startProxy>[1]) {
  const proxy = await startProxy(fake, options);
  cleanup.push(() => proxy.stop());
  return proxy;
}

/** Two `dist/maximize serve` sharing one home (token file, accounts folder, locks): their URLs. */
const twoBinaries = (fake: FakeAnthropic, tokenFile: string, home: string) =>
  Promise.all(
    [0, 1].map(async () => {
      const { url, child } = await startBinary({ upstreamUrl: fake.url, tokenUrl: fake.tokenUrl, tokenFile, home });
      cleanup.push(() => void child.kill("SIGKILL"));
      return url;
    }),
  );

const ask = (url: string) =>
  fetch(`${url}/v1/messages`, {
    method: "POST",
    body: JSON.stringify({ model: "l", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] }),
  });

describe("refresh under failure and contention", () => {
  test("token endpoint failing: concurrent requests all get the same clear error; a later request refreshes", async () => {
    const fake = await fakeUpstream();
    // Two failures: the proxy's start-up fetch of the model catalogue needs the token first and meets the first.
    fake.fault({ route: "token", status: 500, delayMs: 150, times: 2 });
    const proxy = await proxyOn(fake, { tokens: fake.issueTokens({ expiresIn: -1 }) });
    expect(fake.refreshCalls).toBe(1);
    const before = readFileSync(proxy.tokenFile, "utf8");
    const responses = await Promise.all(Array.from({ length: 20 }, () => ask(proxy.url)));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([503]));
    const errors = bodies.map((body) => JSON.stringify((JSON.parse(body) as { error: unknown }).error));
    expect(new Set(errors).size).toBe(1);
    expect(bodies[0]).toContain("could not refresh the Claude token");
    expect(fake.refreshCalls).toBe(2); // one for all twenty
    expect(readFileSync(proxy.tokenFile, "utf8")).toBe(before); // still valid, untouched

    expect((await ask(proxy.url)).status).toBe(200);
    expect(fake.refreshCalls).toBe(3);
  });

  test("two maximize instances sharing one token file never spend the same refresh token twice", async () => {
    const fake = await fakeUpstream();
    const a = await proxyOn(fake, { tokens: fake.issueTokens({ expiresIn: 10 }) });
    const b = await proxyOn(fake, { env: { MAXIMIZE_TOKEN_FILE: a.tokenFile } });
    fake.fault({ route: "token", kind: "delay", delayMs: 150 });
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => ask(i % 2 ? a.url : b.url)));
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(fake.refreshCalls).toBe(1);
    const invalid = fake.tokenRequests.length - fake.refreshCalls;
    expect(invalid).toBe(0);
  });

  test("two compiled binaries sharing one token file: one refresh between them", async () => {
    const fake = await fakeUpstream();
    const dir = mkdtempSync(join(tmpdir(), "maximize-share-"));
    const tokenFile = join(dir, "tokens.json");
    createTokenStore(tokenFile).write(fake.issueTokens({ expiresIn: 10 }));
    fake.fault({ route: "token", kind: "delay", delayMs: 300 });
    const urls = await twoBinaries(fake, tokenFile, dir);
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(urls[i % 2]!)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(fake.refreshCalls).toBe(1);
  });

  test("two compiled binaries sharing the accounts folder: one refresh per account between them", async () => {
    const fake = await fakeUpstream();
    const dir = mkdtempSync(join(tmpdir(), "maximize-share-accounts-"));
    const tokenFile = join(dir, "tokens.json");
    createTokenStore(tokenFile).write(fake.issueTokens({ expiresIn: 10 }));
    createTokenStore(join(dir, "accounts", "work.json")).write(fake.issueTokens({ account: "work", expiresIn: 10 }));
    fake.fault({ route: "token", kind: "delay", delayMs: 300 });
    const urls = await twoBinaries(fake, tokenFile, dir);
    const pinned = (url: string, account: string) =>
      fetch(`${url}/v1/messages`, {
        method: "POST",
        headers: { "x-maximize-account": account },
        body: JSON.stringify({ model: "l", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] }),
      });
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, i) => pinned(urls[i % 2] as string, i % 4 < 2 ? "default" : "work")),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(24).fill(200));
    expect(fake.refreshCalls).toBe(2);
    expect(new Set(fake.requests.filter((r) => r.path === "/v1/messages").map((r) => r.account))).toEqual(new Set(["default", "work"]));
  });

  test("kill -9 during a refresh never leaves a half-written token file", async () => {
    const fake = await fakeUpstream();
    const dir = mkdtempSync(join(tmpdir(), "maximize-kill-"));
    const tokenFile = join(dir, "tokens.json");
    const issued = fake.issueTokens({ expiresIn: -1 });
    createTokenStore(tokenFile).write(issued);
    fake.fault({ route: "token", kind: "delay", delayMs: 2000 });
    const { url, child } = await startBinary({ upstreamUrl: fake.url, tokenUrl: fake.tokenUrl, tokenFile, home: dir });
    const pending = ask(url).catch(() => undefined);
    await eventually(() => expect(fake.refreshCalls).toBeGreaterThan(0));
    child.kill("SIGKILL");
    await child.exited;
    await pending;
    expect(createTokenStore(tokenFile).read()).toEqual(issued);

    // A new process recovers at once: the lock left by the killed one (dead PID) does not block it.
    const proxy = await proxyOn(fake, { env: { MAXIMIZE_TOKEN_FILE: tokenFile } });
    const response = await ask(proxy.url);
    // Whether the killed refresh was spent upstream is the token endpoint's business: either outcome is clear.
    if (response.status === 401) expect(await response.text()).toContain("maximize login");
    else expect(response.status).toBe(200);
  });
});
