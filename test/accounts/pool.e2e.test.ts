/**
 * Several accounts against the fake upstream, each with its own refresh chain and plan: how requests are spread,
 * pinned and failed over (issue 15). Every test starts its own fake and proxy, so none depends on another.
 */
import { describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AccountView } from "../../src/accounts/view.ts";
import type { Config } from "../../src/config/load.ts";
import { eventually } from "../support/eventually.ts";
import { POLICY_ERRORS, startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startProxy, type TestProxy } from "../support/proxy.ts";

const HOUR = 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A plan at its 5-hour limit until `resetsAt` (unix seconds). */
const rejectedUntil = (resetsAt: number) => ({ status: "rejected" as const, windows: { "5h": { utilization: 1, resetsAt } } });

function ask(proxy: TestProxy, options: { session?: string; account?: string; stream?: boolean; text?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.session) headers["x-claude-code-session-id"] = options.session;
  if (options.account) headers["x-maximize-account"] = options.account;
  return fetch(`${proxy.url}/v1/messages`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      model: "l",
      max_tokens: 32,
      stream: options.stream === true,
      messages: [{ role: "user", content: options.text ?? "hello" }],
    }),
  });
}

/** Sets accounts.order, as a config file would. */
const preferring =
  (...names: string[]) =>
  (config: Config) => {
    config.accounts.order = names;
  };

/** The accounts whose tokens made the fake's inference requests, in order. */
const servedBy = (fake: FakeAnthropic) =>
  fake.requests.filter((r) => r.path === "/v1/messages").map((r) => r.account ?? (r.headers["x-api-key"] ? "api-key" : "refused token"));

async function views(proxy: TestProxy): Promise<Record<string, AccountView>> {
  const body = (await (await fetch(`${proxy.url}/accounts`)).json()) as { accounts: AccountView[] };
  return Object.fromEntries(body.accounts.map((view) => [view.name, view]));
}

async function threeAccounts(fake: FakeAnthropic, env: Record<string, string> = {}) {
  return startProxy(fake, {
    tokens: fake.issueTokens(),
    accounts: { a: fake.issueTokens({ account: "a" }), b: fake.issueTokens({ account: "b" }) },
    env,
  });
}

test("a conversation stays on its account; a new one goes where there is most headroom", async () => {
  await using fake = await startFakeAnthropic();
  fake.setPlan({ windows: { "5h": { utilization: 0.6 } } });
  fake.setPlan({ windows: { "5h": { utilization: 0.1 } } }, "a");
  fake.setPlan({ windows: { "5h": { utilization: 0.3 } } }, "b");
  await using proxy = await threeAccounts(fake);
  // The start-up fetch of the catalogue told default's plan (60 % used); a and b are unknown, counted as unused, and
  // the listing order decides between them. Then the conversation sticks.
  for (let i = 0; i < 3; i++) expect((await ask(proxy, { session: "s1" })).status).toBe(200);
  expect(servedBy(fake)).toEqual(["a", "a", "a"]);
  // Learn the others' plans (a pin goes where it is told).
  expect((await ask(proxy, { account: "a" })).status).toBe(200);
  expect((await ask(proxy, { account: "b" })).status).toBe(200);
  expect((await ask(proxy, { account: "default", session: "s9" })).status).toBe(200);
  fake.requests.length = 0;
  for (const session of ["s2", "s3"]) expect((await ask(proxy, { session })).status).toBe(200);
  // A pinned request is not a conversation's choice: s9 was not bound to default by its pin, s1 stays on a.
  expect((await ask(proxy, { session: "s1" })).status).toBe(200);
  expect(servedBy(fake)).toEqual(["a", "a", "a"]);
  fake.setPlan({ windows: { "5h": { utilization: 0.7 } } }, "a");
  expect((await ask(proxy, { session: "s1" })).status).toBe(200); // tells a's new state; s1 stays
  expect((await ask(proxy, { session: "s4" })).status).toBe(200);
  expect(servedBy(fake).slice(-2)).toEqual(["a", "b"]);
  // Without a session header, the conversation's start is its identity.
  fake.requests.length = 0;
  await ask(proxy, { text: "a new topic" });
  fake.setPlan({ windows: { "5h": { utilization: 0.95 } } }, "b");
  await ask(proxy, { account: "b" }); // b is now the fullest
  await ask(proxy, { text: "a new topic" });
  expect(servedBy(fake)).toEqual(["b", "b", "b"]);
});

test("x-maximize-account pins a request; an unknown name is a 400 in each API's shape", async () => {
  await using fake = await startFakeAnthropic();
  await using proxy = await threeAccounts(fake);
  const anthropic = new Anthropic({ baseURL: proxy.url, apiKey: "unused", defaultHeaders: { "x-maximize-account": "b" } });
  await anthropic.messages.create({ model: "l", max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
  expect(servedBy(fake)).toEqual(["b"]);

  const unknown = await ask(proxy, { account: "nobody" });
  expect(unknown.status).toBe(400);
  const body = (await unknown.json()) as { type: string; error: { type: string; message: string } };
  expect(body.type).toBe("error");
  expect(body.error.type).toBe("invalid_request_error");
  expect(body.error.message).toContain('no account named "nobody"');
  expect(body.error.message).toContain("default, a, b");

  const openai = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: "unused", defaultHeaders: { "x-maximize-account": "nobody" } });
  const refused = await openai.chat.completions.create({ model: "l", messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
  expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
  expect((refused as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('no account named "nobody"');
  expect(servedBy(fake)).toEqual(["b"]);
});

test("a plan limit on one account: every request still succeeds, with exactly one retry, and the account cools down", async () => {
  await using fake = await startFakeAnthropic();
  await using proxy = await startProxy(fake, {
    tokens: fake.issueTokens(),
    accounts: { a: fake.issueTokens({ account: "a" }) },
    edit: preferring("default"),
  });
  fake.setPlan(rejectedUntil(nowSeconds() + HOUR)); // after start-up: maximize does not know yet
  const client = new Anthropic({ baseURL: proxy.url, apiKey: "unused", maxRetries: 0 });
  const answer = await client.messages.create({ model: "l", max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
  expect(answer.type).toBe("message");
  expect(servedBy(fake)).toEqual(["default", "a"]);
  // Streams too: the refusal comes before the stream starts.
  const stream = client.messages.stream({ model: "l", max_tokens: 16, messages: [{ role: "user", content: "again" }] });
  expect((await stream.finalMessage()).type).toBe("message");
  expect(servedBy(fake)).toEqual(["default", "a", "a"]);

  const cooling = (await views(proxy)).default as AccountView;
  expect(cooling.state).toBe("cooling");
  expect(Date.parse(cooling.cooling_until as string) / 1000).toBeGreaterThan(nowSeconds() + HOUR - 60);
  expect(cooling.cooling_reason).toContain("5-hour");
  expect(proxy.logs.join("\n")).toContain("account default: the 5-hour limit is used up");
  expect(proxy.logs.some((line) => line.includes("POST /v1/messages 200") && line.includes("account=default→a"))).toBe(true);
  const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
  expect(metrics).toContain('maximize_account_failovers_total{from="default",to="a",reason="plan_limit"} 1');
  expect(metrics).toContain('maximize_account_requests_total{account="a"} 2');
  expect(metrics).toContain('maximize_account_state{account="default",state="cooling"} 1');
});

test("every account at its limit: the second refusal goes back, then maximize answers 429 with the earliest reset", async () => {
  await using fake = await startFakeAnthropic();
  const soon = nowSeconds() + 1200;
  await using proxy = await startProxy(fake, {
    tokens: fake.issueTokens(),
    accounts: { a: fake.issueTokens({ account: "a" }) },
    edit: preferring("default"),
  });
  fake.setPlan(rejectedUntil(nowSeconds() + 2 * HOUR));
  fake.setPlan(rejectedUntil(soon), "a");
  const first = await ask(proxy);
  expect(first.status).toBe(429);
  expect(first.headers.get("anthropic-ratelimit-unified-status")).toBe("rejected");
  expect(servedBy(fake)).toEqual(["default", "a"]);

  const second = await ask(proxy, { stream: true });
  expect(second.status).toBe(429);
  const retryAfter = Number(second.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThan(1100);
  expect(retryAfter).toBeLessThanOrEqual(1200);
  const body = (await second.json()) as { error: { type: string; message: string } };
  expect(body.error.type).toBe("rate_limit_error");
  expect(body.error.message).toContain("no account can take requests now: default until");
  expect(body.error.message).toContain("(plan limit: 5-hour)");
  expect(servedBy(fake)).toEqual(["default", "a"]); // nothing more was sent

  // A pin is still sent: the user asked for that account.
  expect((await ask(proxy, { account: "default" })).status).toBe(429);
  expect(servedBy(fake)).toEqual(["default", "a", "default"]);
});

test("a throttle without plan refusal, a 529 and policy refusals are not failed over", async () => {
  await using fake = await startFakeAnthropic();
  await using proxy = await startProxy(fake, {
    tokens: fake.issueTokens(),
    accounts: { a: fake.issueTokens({ account: "a" }) },
    edit: preferring("default"),
  });
  fake.fault({ status: 429, account: "default" });
  expect((await ask(proxy, { session: "x" })).status).toBe(429);
  fake.fault({ status: 529, account: "default" });
  expect((await ask(proxy, { session: "x" })).status).toBe(529);
  fake.fault({ ...POLICY_ERRORS.third_party_extra_usage, account: "default" });
  expect((await ask(proxy, { session: "x" })).status).toBe(400);
  fake.fault({ ...POLICY_ERRORS.credits_required, account: "default" });
  expect((await ask(proxy, { session: "x" })).status).toBe(429);
  expect(servedBy(fake)).toEqual(["default", "default", "default", "default"]);
  expect((await views(proxy)).default?.state).toBe("ready");
});

test("a dead refresh token: the account is skipped, said once, shown dead; the others carry on", async () => {
  await using fake = await startFakeAnthropic();
  const dying = fake.issueTokens({ expiresIn: -10 });
  fake.revokeRefreshToken(dying.refresh_token);
  await using proxy = await startProxy(fake, { tokens: dying, accounts: { a: fake.issueTokens({ account: "a" }) } });
  for (let i = 0; i < 3; i++) expect((await ask(proxy, { text: `q${i}` })).status).toBe(200);
  expect(servedBy(fake)).toEqual(["a", "a", "a"]);
  expect(fake.refreshCalls).toBe(1);
  const dead = (await views(proxy)).default as AccountView;
  expect(dead.state).toBe("dead");
  expect(dead.last_error?.message).toContain("login expired or revoked");
  // The dead mark written into its file is no new login: after the next look at the files it is still skipped, unsaid.
  await Bun.sleep(1100);
  expect((await ask(proxy, { text: "later" })).status).toBe(200);
  expect(servedBy(fake).at(-1)).toBe("a");
  expect(proxy.logs.filter((line) => line.includes("account default: login expired or revoked")).length).toBe(1);
  const health = (await (await fetch(`${proxy.url}/healthz`)).json()) as { logged_in: boolean };
  expect(health.logged_in).toBe(true);
});

test("a named account's dead login says how to log that account in again", async () => {
  await using fake = await startFakeAnthropic();
  const dying = fake.issueTokens({ account: "work", expiresIn: -10 });
  fake.revokeRefreshToken(dying.refresh_token);
  await using proxy = await startProxy(fake, { tokens: fake.issueTokens(), accounts: { work: dying } });
  const pinned = await ask(proxy, { account: "work" });
  expect(pinned.status).toBe(401);
  expect(((await pinned.json()) as { error: { message: string } }).error.message).toContain("maximize login --account work");
});

test("the cooldown ends at the reset time; accounts.order then prefers the account again", async () => {
  await using fake = await startFakeAnthropic();
  const resetsAt = nowSeconds() + 2;
  fake.setPlan(rejectedUntil(resetsAt));
  await using proxy = await startProxy(fake, {
    tokens: fake.issueTokens(),
    accounts: { a: fake.issueTokens({ account: "a" }) },
    edit: preferring("default", "a"),
  });
  expect((await ask(proxy, { text: "one" })).status).toBe(200);
  expect((await ask(proxy, { text: "two" })).status).toBe(200);
  expect(servedBy(fake)).toEqual(["default", "a", "a"]);
  fake.setPlan({ status: "allowed", windows: { "5h": { utilization: 0.2, resetsAt: resetsAt + 5 * HOUR } } });
  await eventually(async () => expect((await views(proxy)).default?.state).toBe("ready"), 5000, 100);
  fake.requests.length = 0;
  expect((await ask(proxy, { text: "three" })).status).toBe(200);
  expect(servedBy(fake)).toEqual(["default"]);
});

test("API-key accounts serve only when no Claude login can, unless accounts.order says otherwise", async () => {
  const apiKey = "sk-ant-api03-fallback-key";
  await using fake = await startFakeAnthropic({ apiKeys: [apiKey] });
  fake.setPlan(rejectedUntil(nowSeconds() + HOUR), "z-login");
  const accounts = { "a-key": { api_key: apiKey }, "z-login": fake.issueTokens({ account: "z-login" }) };
  await using proxy = await startProxy(fake, { accounts });
  expect(Object.keys(await views(proxy))).toEqual(["a-key", "z-login"]);
  expect((await ask(proxy)).status).toBe(200);
  expect(servedBy(fake)).toEqual(["z-login", "api-key"]);
  const keyRequest = fake.requests.at(-1);
  expect(keyRequest?.headers["x-api-key"]).toBe(apiKey);
  expect(keyRequest?.headers.authorization).toBeUndefined();

  await using paid = await startProxy(fake, { accounts, edit: preferring("a-key") });
  fake.requests.length = 0;
  expect((await ask(paid)).status).toBe(200);
  expect(servedBy(fake)).toEqual(["api-key"]);
});

test("accounts.avoid_extra_usage: an account whose answers are billed as extra usage rests until its plan resets", async () => {
  await using fake = await startFakeAnthropic();
  const resetsAt = nowSeconds() + HOUR;
  // What Anthropic answers when the plan is used up and extra usage pays: 200, the plan rejected, overage allowed.
  fake.setPlan({ status: "rejected", overage: { status: "allowed" }, windows: { "5h": { utilization: 1, resetsAt } } });
  // The start-up fetch of the catalogue carries the plan's headers: they tell it before any request.
  await using careful = await startProxy(fake, { tokens: fake.issueTokens(), env: { MAXIMIZE_AVOID_EXTRA_USAGE: "1" } });
  const refused = await ask(careful);
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(HOUR - 60);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("would draw on extra usage");
  expect(careful.logs.join("\n")).toContain("its requests now draw on extra usage");
  expect(servedBy(fake)).toEqual([]);
  // Turned off by a reload (the running config changes in place): the account serves again at once.
  careful.config.accounts.avoid_extra_usage = false;
  expect((await ask(careful)).status).toBe(200);

  // With another account, requests go there instead.
  await using two = await startProxy(fake, {
    tokens: fake.issueTokens(),
    accounts: { a: fake.issueTokens({ account: "a" }) },
    env: { MAXIMIZE_AVOID_EXTRA_USAGE: "1" },
    edit: preferring("default"),
  });
  fake.requests.length = 0;
  expect((await ask(two)).status).toBe(200);
  expect(servedBy(fake)).toEqual(["a"]);

  // Off (the default): extra usage is the user's choice at Anthropic, and maximize passes on.
  await using relaxed = await startProxy(fake, { tokens: fake.issueTokens() });
  expect((await ask(relaxed)).status).toBe(200);
  expect((await ask(relaxed)).status).toBe(200);
});

test("an account added while serving is used within a second; /usage shows every account's plan", async () => {
  await using fake = await startFakeAnthropic();
  fake.setPlan({ windows: { "5h": { utilization: 0.9 } } });
  fake.setPlan({ windows: { "5h": { utilization: 0.05 } } }, "late");
  await using proxy = await startProxy(fake, { tokens: fake.issueTokens() });
  expect(Object.keys(await views(proxy))).toEqual(["default"]);
  mkdirSync(join(proxy.dir, "accounts"));
  writeFileSync(join(proxy.dir, "accounts", "late.json"), JSON.stringify(fake.issueTokens({ account: "late" })), { mode: 0o600 });
  await eventually(async () => expect(Object.keys(await views(proxy))).toEqual(["default", "late"]), 3000, 100);
  const usage = (await (await fetch(`${proxy.url}/usage`)).json()) as {
    accounts: { account: string; windows: Record<string, { utilization: number }> }[];
  };
  const byAccount = Object.fromEntries(usage.accounts.map((state) => [state.account, state.windows.five_hour?.utilization]));
  expect(byAccount).toEqual({ default: 0.9, late: 0.05 });
});

test("two proxies sharing the accounts refresh each account once, however many requests race", async () => {
  await using fake = await startFakeAnthropic();
  const expired = { ...fake.issueTokens({ expiresIn: -10 }) };
  const expiredA = { ...fake.issueTokens({ account: "a", expiresIn: -10 }) };
  await using one = await startProxy(fake, { tokens: expired, accounts: { a: expiredA } });
  await using two = await startProxy(fake, { dir: one.dir });
  const results = await Promise.all(
    [one, two].flatMap((proxy) => ["default", "a"].flatMap((account) => [1, 2, 3].map(() => ask(proxy, { account })))),
  );
  expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
  expect(fake.refreshCalls).toBe(2);
});

test("the JSON log's access lines carry the account, and the one a request was moved from", async () => {
  await using fake = await startFakeAnthropic();
  await using proxy = await startProxy(fake, {
    tokens: fake.issueTokens(),
    accounts: { a: fake.issueTokens({ account: "a" }) },
    env: { MAXIMIZE_LOG_FORMAT: "json" },
    edit: preferring("default"),
  });
  expect((await ask(proxy, { account: "a" })).status).toBe(200);
  fake.setPlan(rejectedUntil(nowSeconds() + HOUR));
  expect((await ask(proxy)).status).toBe(200);
  const access = proxy.logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.kind === "access" && entry.path === "/v1/messages");
  expect(access.map((entry) => [entry.account, entry.failed_over_from])).toEqual([
    ["a", undefined],
    ["a", "default"],
  ]);
});

test("a token endpoint that fails: the account rests 30 s while the others serve, and nothing waits for it", async () => {
  await using fake = await startFakeAnthropic();
  const tokens = fake.issueTokens();
  await using proxy = await startProxy(fake, { tokens, accounts: { a: fake.issueTokens({ account: "a" }) }, edit: preferring("default") });
  // The access token is refused (401): maximize refreshes it, and the token endpoint is down.
  fake.revokeAccessToken(tokens.access_token);
  fake.fault({ route: "token", status: 503, times: 5 });
  for (const text of ["first", "second"]) expect((await ask(proxy, { text })).status).toBe(200);
  expect(servedBy(fake)).toEqual(["refused token", "a", "a"]);
  expect(fake.refreshCalls).toBe(1); // resting: the second request did not ask again
  const rested = (await views(proxy)).default as AccountView;
  expect(rested.state).toBe("cooling");
  expect(rested.cooling_reason).toBe("its token could not be refreshed");
  expect(Date.parse(rested.cooling_until as string) - Date.now()).toBeLessThanOrEqual(30_000);
  expect(rested.last_error?.message).toContain("could not refresh the Claude token");
});

test("a stream that fails over ends once, when it really ends: the stream gauges and the access line are right", async () => {
  await using fake = await startFakeAnthropic();
  await using proxy = await startProxy(fake, {
    tokens: fake.issueTokens(),
    accounts: { a: fake.issueTokens({ account: "a" }) },
    edit: preferring("default"),
  });
  fake.setPlan(rejectedUntil(nowSeconds() + HOUR));
  // The refusal comes before faults are looked at: the retried stream (on a) is the one that drips.
  fake.fault({ kind: "drip", delayMs: 40 });
  const response = await ask(proxy, { stream: true });
  expect(response.status).toBe(200);
  await eventually(async () => expect(await (await fetch(`${proxy.url}/metrics`)).text()).toContain("maximize_open_streams 1"));
  expect(proxy.logs.some((line) => line.includes("POST /v1/messages 200"))).toBe(false); // not before it ends
  expect(await response.text()).toContain("message_stop");
  await eventually(async () => {
    const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
    expect(metrics).toContain("maximize_open_streams 0");
    expect(metrics).toContain('maximize_streams_total{outcome="complete"} 1');
  });
  expect(servedBy(fake)).toEqual(["default", "a"]);
  expect(proxy.logs.filter((line) => line.includes("POST /v1/messages 200") && line.includes("account=default→a"))).toHaveLength(1);
});

test("a new login in a dead account's file is used again", async () => {
  await using fake = await startFakeAnthropic();
  const dying = fake.issueTokens({ expiresIn: -10 });
  fake.revokeRefreshToken(dying.refresh_token);
  await using proxy = await startProxy(fake, {
    tokens: dying,
    accounts: { a: fake.issueTokens({ account: "a" }) },
    edit: preferring("default"),
  });
  expect((await ask(proxy)).status).toBe(200);
  expect((await views(proxy)).default?.state).toBe("dead");
  writeFileSync(proxy.tokenFile, JSON.stringify(fake.issueTokens()), { mode: 0o600 });
  await eventually(async () => expect((await views(proxy)).default?.state).toBe("ready"), 4000, 100);
  fake.requests.length = 0;
  expect((await ask(proxy, { text: "again" })).status).toBe(200);
  expect(servedBy(fake)).toEqual(["default"]);
});

test("a long-lived token the API refuses: that request and the next go to another account", async () => {
  await using fake = await startFakeAnthropic();
  const { access_token } = fake.issueTokens({ expiresIn: 365 * 86400 });
  const longLived = { access_token, refresh_token: null, expires_at: null };
  await using proxy = await startProxy(fake, {
    tokens: longLived,
    accounts: { a: fake.issueTokens({ account: "a" }) },
    edit: preferring("default"),
  });
  fake.revokeAccessToken(access_token);
  for (const text of ["one", "two"]) expect((await ask(proxy, { text })).status).toBe(200);
  expect(servedBy(fake)).toEqual(["refused token", "a", "a"]);
  expect((await views(proxy)).default?.state).toBe("dead");
});

test("every token endpoint down: a 503 that says so (not a plan limit), with retry-after", async () => {
  await using fake = await startFakeAnthropic();
  fake.fault({ route: "token", status: 503, times: 50 });
  await using proxy = await startProxy(fake, {
    tokens: fake.issueTokens({ expiresIn: -10 }),
    accounts: { a: fake.issueTokens({ account: "a", expiresIn: -10 }) },
  });
  const response = await ask(proxy);
  expect(response.status).toBe(503);
  expect(Number(response.headers.get("retry-after"))).toBeLessThanOrEqual(30);
  const message = ((await response.json()) as { error: { type: string; message: string } }).error;
  expect(message.type).toBe("api_error");
  expect(message.message).toContain("its token could not be refreshed");
  expect(message.message).not.toContain("plan limit");
});

test("one account: /healthz and /auth/status say what they said before accounts existed", async () => {
  await using fake = await startFakeAnthropic();
  fake.fault({ route: "token", status: 503, times: 50 });
  await using proxy = await startProxy(fake, { tokens: fake.issueTokens({ expiresIn: -10 }) });
  const health = (await (await fetch(`${proxy.url}/healthz`)).json()) as { logged_in: boolean; error?: string };
  expect(health.logged_in).toBe(true);
  expect(health.error).toContain("could not refresh the Claude token");
  const auth = (await (await fetch(`${proxy.url}/auth/status`)).json()) as { logged_in: boolean; error?: string; method: string };
  expect(auth).toMatchObject({ logged_in: true, method: "oauth" });
  expect(auth.error).toContain("could not refresh the Claude token");
});

describe("after the second review", () => {
  const OPUS = "claude-opus-5-5";
  const SONNET = "claude-sonnet-5-5";
  const askModel = (proxy: TestProxy, model: string, text = "hi") =>
    fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model, max_tokens: 16, messages: [{ role: "user", content: text }] }),
    });

  test("a conversation moved to a paid API key goes back to the Claude login once it can serve", async () => {
    const apiKey = "sk-ant-api03-paid-fallback";
    await using fake = await startFakeAnthropic({ apiKeys: [apiKey] });
    await using proxy = await startProxy(fake, { tokens: fake.issueTokens(), accounts: { paid: { api_key: apiKey } } });
    const resetsAt = nowSeconds() + 2;
    fake.setPlan(rejectedUntil(resetsAt));
    expect((await ask(proxy, { session: "s1" })).status).toBe(200);
    expect(servedBy(fake)).toEqual(["default", "api-key"]);
    fake.setPlan({ status: "allowed", windows: { "5h": { utilization: 0.1, resetsAt: resetsAt + HOUR } } });
    await eventually(async () => expect((await views(proxy)).default?.state).toBe("ready"), 5000, 100);
    fake.requests.length = 0;
    expect((await ask(proxy, { session: "s1" })).status).toBe(200);
    expect(servedBy(fake)).toEqual(["default"]);
  });

  test("a 7-day Opus limit rests the account for Opus only; Sonnet answers do not end that rest", async () => {
    await using fake = await startFakeAnthropic();
    await using proxy = await startProxy(fake, {
      tokens: fake.issueTokens(),
      accounts: { a: fake.issueTokens({ account: "a" }) },
      edit: preferring("default"),
    });
    fake.setPlan({ status: "rejected", representativeClaim: "seven_day_opus", windows: { "7d_opus": { utilization: 1 } } });
    expect((await askModel(proxy, OPUS, "one")).status).toBe(200);
    expect(servedBy(fake)).toEqual(["default", "a"]);
    expect((await views(proxy)).default?.cooling_reason).toBe("plan limit: 7-day Opus (opus models only)");
    fake.requests.length = 0;
    expect((await askModel(proxy, SONNET, "two")).status).toBe(200); // default still serves Sonnet
    expect((await askModel(proxy, OPUS, "three")).status).toBe(200); // and Opus still goes elsewhere
    expect(servedBy(fake)).toEqual(["default", "a"]);
    // Said once for the rest, not once per refused request; the upstream client does not explain a refusal the pool took over.
    const logs = proxy.logs.join("\n");
    expect(logs.match(/account default: the 7-day Opus limit is used up/g)).toHaveLength(1);
    expect(logs).not.toContain("upstream 429:");
    expect(logs).toContain("plan (account default): a request was refused: the 7-day Opus limit is used up");
  });

  test("an API key replaced while serving is used from the next look at the files", async () => {
    await using fake = await startFakeAnthropic({ apiKeys: ["sk-ant-api03-first-key", "sk-ant-api03-second-key"] });
    await using proxy = await startProxy(fake, { accounts: { paid: { api_key: "sk-ant-api03-first-key" } } });
    expect((await ask(proxy)).status).toBe(200);
    writeFileSync(join(proxy.dir, "accounts", "paid.json"), JSON.stringify({ api_key: "sk-ant-api03-second-key" }), { mode: 0o600 });
    await eventually(
      async () => {
        expect((await ask(proxy)).status).toBe(200);
        expect(fake.requests.at(-1)?.headers["x-api-key"]).toBe("sk-ant-api03-second-key");
      },
      4000,
      100,
    );
  });

  test("with accounts.avoid_extra_usage a pin does not spend extra usage either; a lone account's plan refusal shows as cooling", async () => {
    await using fake = await startFakeAnthropic();
    fake.setPlan({ status: "rejected", overage: { status: "allowed" }, windows: { "5h": { utilization: 1 } } }, "a");
    await using proxy = await startProxy(fake, {
      tokens: fake.issueTokens(),
      accounts: { a: fake.issueTokens({ account: "a" }) },
      env: { MAXIMIZE_AVOID_EXTRA_USAGE: "1" },
    });
    expect((await ask(proxy, { account: "a" })).status).toBe(200); // the answer that tells: billed already
    const pinned = await ask(proxy, { account: "a" });
    expect(pinned.status).toBe(429);
    expect(((await pinned.json()) as { error: { message: string } }).error.message).toContain("would draw on extra usage");

    await using lone = await startProxy(fake, { tokens: fake.issueTokens() });
    fake.setPlan(rejectedUntil(nowSeconds() + HOUR));
    expect((await ask(lone)).status).toBe(429);
    expect((await views(lone)).default?.state).toBe("cooling");
    expect((await ask(lone)).status).toBe(429); // still asked: Anthropic's own 429 says when
    expect(servedBy(fake).filter((who) => who === "default").length).toBeGreaterThanOrEqual(2);
  });

  test("/usage through the proxy names an account whose plan could not be read, beside the others", async () => {
    await using fake = await startFakeAnthropic();
    await using proxy = await startProxy(fake, { tokens: fake.issueTokens(), accounts: { a: fake.issueTokens({ account: "a" }) } });
    // Nothing sent with a yet: its plan is asked of the usage endpoint, which fails for it.
    fake.fault({ route: "usage", status: 500, account: "a", times: 5 });
    const usage = (await (await fetch(`${proxy.url}/usage`)).json()) as {
      accounts: { account: string }[];
      failed?: { account: string; error: string }[];
    };
    expect(usage.accounts.map((state) => state.account)).toEqual(["default"]);
    expect(usage.failed?.map((f) => f.account)).toEqual(["a"]);
  });
});
