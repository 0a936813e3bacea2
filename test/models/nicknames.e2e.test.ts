/**
 * Nicknames and the model catalogue end to end: the official SDKs → maximize → the December 2026 fake, whose
 * catalogue a test can change while everything runs.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startProxy, type TestProxy } from "../support/proxy.ts";
import { eventually } from "../support/eventually.ts";

const user = (content: string): Anthropic.MessageParam[] => [{ role: "user", content }];
const lastBody = (fake: FakeAnthropic) => fake.requests.filter((r) => r.path === "/v1/messages").at(-1)!.body as Record<string, unknown>;

describe("every nickname and a request without a model reach an active model", () => {
  let fake: FakeAnthropic;
  let proxy: TestProxy;
  let client: Anthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
    proxy = await startProxy(fake, { tokens: fake.issueTokens() });
    client = new Anthropic({ apiKey: "unused", baseURL: proxy.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await proxy.stop();
    await fake.close();
  });

  test.each([
    ["xs", "claude-haiku-5-5", "low"],
    ["s", "claude-sonnet-5-5", "low"],
    ["m", "claude-sonnet-5-5", "medium"],
    ["l", "claude-sonnet-5-5", undefined],
    ["xl", "claude-opus-5-5", undefined],
    ["xxl", "claude-opus-5-5", "max"],
  ])("%s → %s, effort %p (the SDK's anthropic-version 2026-10-21)", async (nickname, model, effort) => {
    const message = await client.messages.create({ model: nickname, max_tokens: 64, messages: user("Say hi") });
    expect(message.model).toBe(model);
    const sent = lastBody(fake);
    expect(sent.model).toBe(model);
    expect((sent.output_config as { effort?: string } | undefined)?.effort).toBe(effort as never);
  });

  test.each(["2023-06-01", "2026-10-21"])("no model at all → models.default (l) under anthropic-version %s", async (version) => {
    const response = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": version },
      body: JSON.stringify({ max_tokens: 16, messages: user("Hi") }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { model: string }).model).toBe("claude-sonnet-5-5");
    expect(fake.requests.at(-1)!.headers["anthropic-version"]).toBe(version);
  });

  test("a nickname's effort never overrides the client's", async () => {
    await client.messages.create({ model: "xxl", max_tokens: 64, messages: user("Hi"), output_config: { effort: "low" } });
    expect(lastBody(fake).output_config).toEqual({ effort: "low" });
  });

  test("count_tokens resolves the nickname but adds no effort", async () => {
    const counted = await client.messages.countTokens({ model: "xs", messages: user("Hi") });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const sent = fake.requests.filter((r) => r.path === "/v1/messages/count_tokens").at(-1)!.body as Record<string, unknown>;
    expect(sent.model).toBe("claude-haiku-5-5");
    expect(sent.output_config).toBeUndefined();
  });

  test("an exact current ID passes through; a retired one gets Anthropic's 404 unchanged", async () => {
    expect((await client.messages.create({ model: "claude-opus-4-8", max_tokens: 16, messages: user("Hi") })).model).toBe(
      "claude-opus-4-8",
    );
    const error = await client.messages
      .create({ model: "claude-sonnet-4-20250514", max_tokens: 16, messages: user("Hi") })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ error: { type: "not_found_error" } });
  });

  test("the OpenAI route resolves the same nicknames", async () => {
    const openai = new OpenAI({ apiKey: "unused", baseURL: `${proxy.url}/v1`, maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: "xs", messages: [{ role: "user", content: "Hi" }] });
    expect(completion.choices[0]?.message.content).toContain("claude-haiku-5-5");
    expect(lastBody(fake)).toMatchObject({ model: "claude-haiku-5-5", output_config: { effort: "low" } });
  });

  test("the log line names nickname, model and effort; the table came from the live catalogue", () => {
    expect(proxy.logs.some((line) => line.includes("model=xs→claude-haiku-5-5@low"))).toBe(true);
    // (The fake's newest models are also the built-in fallback's: only this line tells the two apart here.)
    expect(proxy.logs.some((line) => line.includes("models (live catalogue"))).toBe(true);
    expect(proxy.logs.some((line) => line.includes("built-in table"))).toBe(false);
  });
});

describe("the catalogue changes while maximize runs", () => {
  let fake: FakeAnthropic;
  let proxy: TestProxy | undefined;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });
  afterAll(async () => {
    await fake.close();
  });
  const ask = async (model: string) => {
    const response = await fetch(`${proxy!.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model, max_tokens: 16, messages: user("Hi") }),
    });
    return { status: response.status, body: (await response.json()) as { model?: string } };
  };

  test("a model released mid-test is picked up after models.refresh_interval, without a restart", async () => {
    proxy = await startProxy(fake, { tokens: fake.issueTokens(), env: { MAXIMIZE_MODELS_REFRESH_INTERVAL: "0.2" } });
    expect((await ask("xs")).body.model).toBe("claude-haiku-5-5");
    fake.releaseModel({ id: "claude-haiku-6", line: "haiku" });
    await eventually(async () => expect((await ask("xs")).body.model).toBe("claude-haiku-6"));
    expect(proxy.logs.some((line) => line.includes("xs→claude-haiku-6"))).toBe(true);
  });

  test("a resolved model that answers 404 refreshes the catalogue and the request is retried once on its successor", async () => {
    proxy = await startProxy(fake, { tokens: fake.issueTokens() }); // refresh_interval 1 h: only the 404 can refresh it
    expect((await ask("xl")).body.model).toBe("claude-opus-5-5");
    fake.releaseModel({ id: "claude-opus-6", line: "opus" });
    fake.retireModel("claude-opus-5-5");
    const answer = await ask("xl");
    expect(answer).toEqual({ status: 200, body: expect.objectContaining({ model: "claude-opus-6" }) });
    expect(proxy.logs.some((line) => line.includes("answered 404") && line.includes("claude-opus-6"))).toBe(true);
    // An exact ID is the client's choice: its 404 is passed on, not retried.
    expect((await ask("claude-opus-5-5")).status).toBe(404);
  });

  test("when the catalogue cannot be fetched, the built-in table answers and the log says so", async () => {
    await using fresh = await startFakeAnthropic();
    // the proxy is stopped by afterEach
    fresh.fault({ route: "models", status: 500, times: 100 });
    proxy = await startProxy(fresh, { tokens: fresh.issueTokens() });
    const response = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "l", max_tokens: 16, messages: user("Hi") }),
    });
    expect(((await response.json()) as { model: string }).model).toBe("claude-sonnet-5-5");
    expect(proxy.logs.some((line) => line.includes("cannot fetch Anthropic's model catalogue") && line.includes("built-in table"))).toBe(
      true,
    );
  });

  test("models.nicknames pins a nickname to an exact ID and/or an effort", async () => {
    const nicknames = { l: "claude-opus-4-8", xs: { effort: "high" as const }, deep: { model: "claude-opus-4-7", effort: "max" as const } };
    proxy = await startProxy(fake, { tokens: fake.issueTokens(), edit: (config) => (config.models.nicknames = nicknames) });
    expect((await ask("l")).body.model).toBe("claude-opus-4-8");
    expect(lastBody(fake).output_config).toBeUndefined(); // a string pin adds nothing
    await ask("xs");
    expect(lastBody(fake).output_config).toEqual({ effort: "high" });
    expect((await ask("deep")).body.model).toBe("claude-opus-4-7");
    expect(lastBody(fake).output_config).toEqual({ effort: "max" });
  });

  test("a streamed request whose model was retired is retried on the successor; the stream gauge stays right", async () => {
    await using own = await startFakeAnthropic({ models: [{ id: "claude-sonnet-7", line: "sonnet" }] }); // the proxy is stopped by afterEach
    proxy = await startProxy(own, { tokens: own.issueTokens() });
    expect((await ask("m")).body.model).toBe("claude-sonnet-7");
    own.releaseModel({ id: "claude-sonnet-8", line: "sonnet" });
    own.retireModel("claude-sonnet-7");
    const response = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", max_tokens: 16, stream: true, messages: user("Hi") }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"model":"claude-sonnet-8"');
    const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
    expect(metrics).toContain("maximize_open_streams 0");
    expect(metrics).toMatch(/maximize_streams_total\{outcome="complete"\} 1\n/);
  });

  test("a 404 with no successor is passed on; a second one soon after fetches the catalogue no more", async () => {
    await using own = await startFakeAnthropic({ models: [{ id: "claude-opus-9", line: "opus" }] }); // the proxy is stopped by afterEach
    proxy = await startProxy(own, { tokens: own.issueTokens() });
    const fetches = () => own.requests.filter((r) => r.path === "/v1/models").length;
    expect((await ask("xl")).body.model).toBe("claude-opus-9");
    own.retireModel("claude-opus-9");
    expect((await ask("xl")).status).toBe(404);
    expect(fetches()).toBe(2); // start-up, then the one the 404 forced
    expect((await ask("xl")).status).toBe(404);
    expect(fetches()).toBe(2);
  });
});
