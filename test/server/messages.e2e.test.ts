import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { beforeAll, describe, expect, test } from "bun:test";
import { BUILTIN_NICKNAMES } from "../../src/models/nicknames.ts";
import { useLoggedInProxy } from "../support/proxy.ts";

const env = useLoggedInProxy();
let client: Anthropic;
beforeAll(() => {
  client = new Anthropic({ apiKey: "sk-dummy-client-key", baseURL: env.proxy.url, maxRetries: 0 });
});

const user = (content: Anthropic.MessageParam["content"]): Anthropic.MessageParam[] => [{ role: "user", content }];

describe("POST /v1/messages with the official SDK", () => {
  test.each([
    ["xs", "claude-haiku-5-5"],
    ["l", "claude-sonnet-5-5"],
    ["xxl", "claude-opus-5-5"],
  ])("nickname %s → %s (test/models/nicknames.e2e.test.ts has them all)", async (nickname, model) => {
    const message = await client.messages.create({ model: nickname, max_tokens: 64, messages: user("Say hi") });
    expect(message.model).toBe(model);
    // Opus 5.5 always thinks (a thinking block, its text omitted by default, comes first): the answer is the last block.
    expect(message.content.at(-1)).toMatchObject({ type: "text", text: `Hello from ${model}! You said: Say hi` });
    expect(message.stop_reason).toBe("end_turn");
    const sent = env.fake.requests.at(-1)!;
    expect(sent.headers.authorization).toStartWith("Bearer sk-ant-oat01-");
    expect(sent.headers["x-api-key"]).toBeUndefined();
    expect((sent.body as { system: unknown[] }).system[0]).toEqual({
      type: "text",
      text: "You are Claude Code, Anthropic's official CLI for Claude.",
    });
  });

  test("the client's system prompt, metadata and other fields reach upstream untouched", async () => {
    await client.messages.create({
      model: "l",
      max_tokens: 64,
      system: "Be brief.",
      metadata: { user_id: "user-1" },
      stop_sequences: ["zzz"],
      messages: user("Hi"),
      output_config: { effort: "medium" },
      // A field that does not exist yet: it must pass through.
      ...({ future_field: { a: 1 } } as object),
    });
    const body = env.fake.requests.at(-1)!.body as Record<string, unknown>;
    expect(body.system).toEqual([
      { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude." },
      { type: "text", text: "Be brief." },
    ]);
    expect(body.metadata).toEqual({ user_id: "user-1" });
    expect(body.stop_sequences).toEqual(["zzz"]);
    expect(body.output_config).toEqual({ effort: "medium" });
    expect(body.future_field).toEqual({ a: 1 });
  });

  test("temperature reaches a model that takes it under anthropic-version 2023-06-01, and 2026-10-21's refusal comes back unchanged", async () => {
    const old = new Anthropic({
      apiKey: "unused",
      baseURL: env.proxy.url,
      maxRetries: 0,
      defaultHeaders: { "anthropic-version": "2023-06-01" },
    });
    const params = { model: "claude-opus-4-6", max_tokens: 16, messages: user("Hi"), ...({ temperature: 0.5 } as object) };
    expect((await old.messages.create(params)).model).toBe("claude-opus-4-6");
    expect((env.fake.requests.at(-1)!.body as { temperature: number }).temperature).toBe(0.5);
    const error = await client.messages.create(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(env.fake.requests.at(-1)!.headers["anthropic-version"]).toBe("2026-10-21");
  });

  test("/v1/messages?beta=true (as Claude Code calls it) routes the same and keeps its query", async () => {
    const response = await fetch(`${env.proxy.url}/v1/messages?beta=true`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "xs", max_tokens: 16, messages: user("Hi") }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { model: string }).model).toBe("claude-haiku-5-5");
    expect(env.fake.requests.at(-1)!.query).toContain("beta=true");
  });

  test("the SDK's beta namespace: the client's betas are merged with the OAuth betas", async () => {
    const message = await client.beta.messages.create({
      model: "s",
      max_tokens: 32,
      messages: user("Hi"),
      betas: ["files-api-2025-04-14"],
    });
    expect(message.model).toBe("claude-sonnet-5-5");
    const sent = env.fake.requests.at(-1)!;
    const betas = sent.headers["anthropic-beta"]!.split(",");
    expect(betas).toContain("oauth-2025-04-20");
    expect(betas).toContain("files-api-2025-04-14");
    expect(new Set(betas).size).toBe(betas.length);
  });

  test("a model absent from the body uses models.default", async () => {
    const response = await fetch(`${env.proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ max_tokens: 16, messages: user("Hi") }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { model: string }).model).toBe("claude-sonnet-5-5");
  });

  test("an image block", async () => {
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    const message = await client.messages.create({
      model: "l",
      max_tokens: 64,
      messages: user([
        { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
        { type: "text", text: "What is this?" },
      ]),
    });
    expect(message.content[0]).toMatchObject({ type: "text", text: "I see a image/png image." });
  });

  test("count_tokens", async () => {
    const count = await client.messages.countTokens({ model: "xl", messages: user("Count me") });
    expect(count.input_tokens).toBeGreaterThan(0);
    expect(env.fake.requests.at(-1)!.path).toBe("/v1/messages/count_tokens");
    expect((env.fake.requests.at(-1)!.body as { model: string }).model).toBe("claude-opus-5-5");
  });

  test("models list: the SDK pages through it (small pages too) and every field of every model survives", async () => {
    const upstream: Anthropic.ModelInfo[] = [];
    for await (const model of client.models.list({ limit: 3 })) upstream.push(model);
    const page = (await (await fetch(`${env.proxy.url}/v1/models?limit=3`)).json()) as { data: unknown[] };
    expect(page.data.length).toBe(3); // limit honoured: no nicknames on a page of a size the client chose
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    for (const nickname of Object.keys(BUILTIN_NICKNAMES)) expect(ids).toContain(nickname);
    expect(ids.filter((id) => !(id in BUILTIN_NICKNAMES))).toEqual(upstream.map((model) => model.id));
    expect(new Set(upstream.map((model) => model.id)).size).toBe(upstream.length); // no page read twice
    expect(upstream.map((model) => model.id)).toEqual(
      expect.arrayContaining(["claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-5-5", "claude-sonnet-4-5"]),
    );
    expect(ids).not.toContain("claude-sonnet-4-20250514"); // retired: listed only when asked for
    expect(upstream.map((model) => model.id)).not.toContain("l");
    const sonnet = upstream.find((model) => model.id === "claude-sonnet-5-5")!;
    expect(sonnet).toMatchObject({ line: "sonnet", lifecycle: "active", max_input_tokens: 1_000_000, max_tokens: 128_000 });
    expect(sonnet.capabilities?.effort).toMatchObject({ supported: true, xhigh: { supported: true } });
    expect(sonnet.capabilities?.thinking.types.enabled.supported).toBe(false);
    const raw = (await (await fetch(`${env.proxy.url}/v1/models`)).json()) as { object: string; data: Record<string, unknown>[] };
    expect(raw.object).toBe("list");
    const l = raw.data.find((model) => model.id === "l")!;
    // (Read before toMatchObject with asymmetric matchers: bun's writes the matchers into the object it checks.)
    expect(l.created as number).toBeGreaterThan(1_700_000_000); // the model's release, never 1970
    expect(l).toMatchObject({ resolves_to: "claude-sonnet-5-5", owned_by: "maximize", line: "sonnet", created_at: "2026-09-28T00:00:00Z" });
    for (const model of raw.data)
      expect(model).toMatchObject({ type: "model", object: "model", owned_by: expect.any(String), created: expect.any(Number) });
  });

  test("models list: lifecycle[] filters and paging go upstream as the client sent them", async () => {
    const retired: string[] = [];
    for await (const model of client.models.list({ lifecycle: ["retired"], limit: 2 })) retired.push(model.id);
    expect(retired).toContain("claude-sonnet-4-20250514");
    expect(retired).not.toContain("l"); // nicknames only where active models are listed
    expect(env.fake.requests.at(-1)!.query).toContain("lifecycle%5B%5D=retired");
  });

  test("models list through the OpenAI SDK", async () => {
    const openai = new OpenAI({ apiKey: "unused", baseURL: `${env.proxy.url}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(["l", "xxl", "claude-opus-5-5"]));
    expect(await openai.models.retrieve("xs")).toMatchObject({ id: "xs", object: "model", owned_by: "maximize" });
  });

  test("models.retrieve: a model id, and a nickname resolved to its model", async () => {
    const model = await client.models.retrieve("claude-opus-5-5");
    expect(model).toMatchObject({ id: "claude-opus-5-5", type: "model", line: "opus", lifecycle: "active" });
    const nickname = await client.models.retrieve("xxl");
    expect(nickname).toMatchObject({ id: "xxl", type: "model", display_name: "xxl → claude-opus-5-5 (effort max)", line: "opus" });
    const missing = await client.models.retrieve("no-such-model").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
  });

  test("HEAD /healthz answers 200 (uptime monitors)", async () => {
    expect((await fetch(`${env.proxy.url}/healthz`, { method: "HEAD" })).status).toBe(200);
  });
});

describe("streaming with the official SDK", () => {
  test("text: events arrive in order and the final message equals the non-stream answer", async () => {
    const params = { model: "l", max_tokens: 64, messages: user("Stream please") };
    const texts: string[] = [];
    const stream = client.messages.stream(params).on("text", (delta) => texts.push(delta));
    const final = await stream.finalMessage();
    const plain = await client.messages.create(params);
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join("")).toBe((plain.content[0] as Anthropic.TextBlock).text);
    expect(final.content as unknown[]).toEqual(plain.content);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  test("adaptive thinking: thinking deltas and signature survive the proxy", async () => {
    const stream = client.messages.stream({
      model: "l",
      max_tokens: 4096,
      thinking: { type: "adaptive", display: "summarized" },
      messages: user("Think"),
    });
    const thinking: string[] = [];
    stream.on("thinking", (delta) => thinking.push(delta));
    const final = await stream.finalMessage();
    const block = final.content[0] as Anthropic.ThinkingBlock;
    expect(block.type).toBe("thinking");
    expect(block.signature.length).toBeGreaterThan(0);
    expect(thinking.join("")).toBe(block.thinking);
    expect(final.content[1]?.type).toBe("text");
  });

  test("tool use round trip: streamed tool_use input, then the tool result answered", async () => {
    const tools: Anthropic.Tool[] = [
      {
        name: "get_weather",
        description: "Weather for a city",
        input_schema: { type: "object", properties: { city: { type: "string" }, days: { type: "number" } }, required: ["city"] },
      },
    ];
    const first = await client.messages.stream({ model: "l", max_tokens: 256, tools, messages: user("Weather in Paris?") }).finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    const call = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === "tool_use")!;
    expect(call.name).toBe("get_weather");
    expect(call.input).toEqual({ city: "example", days: 42 });

    const second = await client.messages
      .stream({
        model: "l",
        max_tokens: 256,
        tools,
        messages: [
          ...user("Weather in Paris?"),
          { role: "assistant", content: first.content },
          { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "Sunny, 21°C" }] },
        ],
      })
      .finalMessage();
    expect(second.stop_reason).toBe("end_turn");
    expect(second.content[0]).toMatchObject({ type: "text", text: "Tool result received: Sunny, 21°C" });
  });

  test("a raw stream is forwarded as SSE with event lines (content-type, ping, order)", async () => {
    const response = await fetch(`${env.proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "l", max_tokens: 32, stream: true, messages: user("Hi") }),
    });
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    expect(response.headers.get("request-id")).toStartWith("req_");
    const text = await response.text();
    const names = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names[0]).toBe("message_start");
    expect(names).toContain("ping");
    expect(names.slice(-2)).toEqual(["message_delta", "message_stop"]);
  });
});

describe("errors keep their status, shape and headers", () => {
  test("429 with retry-after reaches the SDK intact", async () => {
    env.fake.fault({ status: 429, headers: { "retry-after": "17", "anthropic-ratelimit-unified-status": "rejected" } });
    const error = await client.messages.create({ model: "l", max_tokens: 8, messages: user("Hi") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rate = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rate.status).toBe(429);
    expect(rate.headers?.get("retry-after")).toBe("17");
    expect(rate.headers?.get("anthropic-ratelimit-unified-status")).toBe("rejected");
    expect(rate.headers?.get("request-id")).toStartWith("req_");
    expect((rate.error as { error: { type: string } }).error.type).toBe("rate_limit_error");
  });

  test("529 overloaded surfaces as the SDK's InternalServerError with status 529", async () => {
    env.fake.fault({ status: 529 });
    const error = await client.messages.create({ model: "l", max_tokens: 8, messages: user("Hi") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
  });

  test("a 429 on a stream is a 429, not a 200 stream", async () => {
    env.fake.fault({ status: 429, headers: { "retry-after": "3" } });
    const error = await client.messages
      .stream({ model: "l", max_tokens: 8, messages: user("Hi") })
      .finalMessage()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
  });

  test("an unknown model is upstream's 404, passed through", async () => {
    const error = await client.messages.create({ model: "no-such-model", max_tokens: 8, messages: user("Hi") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
  });

  test("an event: error after a 200 is forwarded to the SDK", async () => {
    env.fake.fault({ kind: "stream-error", afterEvents: 3, error: { type: "overloaded_error", message: "Overloaded" } });
    const error = await client.messages
      .stream({ model: "l", max_tokens: 32, messages: user("Hi") })
      .finalMessage()
      .catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain("Overloaded");
  });

  test("the logs never hold a token, even at debug level after a refresh", async () => {
    // Its own traffic, so the test means the same alone as after the others: a refresh, a request, an error.
    env.fake.fault({ status: 401 });
    await client.messages.create({ model: "l", max_tokens: 8, messages: user("Hi") });
    await client.messages.create({ model: "no-such-model", max_tokens: 8, messages: user("Hi") }).catch(() => undefined);
    const all = env.proxy.logs.join("\n");
    expect(all).toContain("POST /v1/messages");
    expect(all).toContain("refreshed the Claude access token");
    expect(all).not.toMatch(/sk-ant-o[ar]t01-[A-Za-z0-9_-]{4}/);
    expect(all).not.toContain(env.proxy.readTokens()!.access_token);
  });
});
