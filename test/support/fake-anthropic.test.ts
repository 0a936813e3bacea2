import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import {
  DEFAULT_CATALOGUE,
  DEFAULT_MODELS,
  DEPRECATED_MODELS,
  IDENTITY,
  OAUTH_BETA,
  POLICY_ERRORS,
  RETIRED_MODELS,
  signThinking,
  startFakeAnthropic,
  thinkingBlock,
  TINY_PNG_BASE64,
  type FakeAnthropic,
  type FakeModelInfo,
} from "./fake-anthropic.ts";
import { eventually } from "./eventually.ts";

/** A current model that still takes everything the 2025 API did (budget thinking, sampling, forced tools). */
const MODEL = "claude-sonnet-4-6";
const API_KEY = "sk-ant-api03-test-key";
const identity = { type: "text", text: IDENTITY };

let fake: FakeAnthropic;
let token: string;

beforeEach(async () => {
  fake = await startFakeAnthropic({ apiKeys: [API_KEY] });
  token = fake.issueTokens().access_token;
});
afterEach(() => fake.close());

// ---------- helpers ----------

type Json = Record<string, unknown>;

interface ErrorBody {
  type: string;
  error: { type: string; message: string; details?: { error_code: string } };
  request_id: string;
}

interface Block {
  type: string;
  text?: string;
  thinking?: string;
  signature?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

interface MessageBody {
  id: string;
  type: string;
  model: string;
  content: Block[];
  stop_reason: string;
  stop_sequence: string | null;
  stop_details: unknown;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_creation_input_tokens: number;
    output_tokens_details?: { thinking_tokens: number };
  };
}

interface SseData {
  type: string;
  index?: number;
  content_block?: Block;
  delta?: {
    type?: string;
    text?: string;
    thinking?: string;
    signature?: string;
    partial_json?: string;
    stop_reason?: string;
    stop_sequence?: string | null;
    stop_details?: unknown;
  };
  usage?: MessageBody["usage"];
  message?: MessageBody;
  error?: { type: string; message: string };
}

interface SseEvent {
  event: string;
  data: SseData;
}

function oauthHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    "anthropic-version": "2023-06-01",
    "anthropic-beta": `claude-code-20250219,${OAUTH_BETA}`,
    "content-type": "application/json",
    ...extra,
  };
}

function messageBody(extra: Json = {}): Json {
  return { model: MODEL, max_tokens: 200, system: [identity], messages: [{ role: "user", content: "hi there" }], ...extra };
}

function post(path: string, body: unknown, headers: Record<string, string> = oauthHeaders(), signal?: AbortSignal) {
  return fetch(`${fake.url}${path}`, { method: "POST", headers, body: JSON.stringify(body), signal });
}

async function expectError(res: Response, status: number, type: string, message?: string | RegExp): Promise<ErrorBody> {
  expect(res.status).toBe(status);
  expect(res.headers.get("request-id")).toMatch(/^req_/);
  const body = (await res.json()) as ErrorBody;
  expect(body.type).toBe("error");
  expect(body.error.type).toBe(type);
  expect(body.request_id).toBe(res.headers.get("request-id") ?? "");
  if (typeof message === "string") expect(body.error.message).toBe(message);
  if (message instanceof RegExp) expect(body.error.message).toMatch(message);
  return body;
}

async function create(body: Json): Promise<MessageBody> {
  const res = await post("/v1/messages", body);
  expect(res.status).toBe(200);
  return (await res.json()) as MessageBody;
}

function parseSse(text: string): SseEvent[] {
  expect(text.endsWith("\n\n")).toBe(true);
  return text
    .slice(0, -2)
    .split("\n\n")
    .map((chunk) => {
      const [eventLine, dataLine, ...rest] = chunk.split("\n");
      expect(rest).toEqual([]);
      expect(eventLine).toMatch(/^event: /);
      expect(dataLine).toMatch(/^data: /);
      const event = (eventLine ?? "").slice("event: ".length);
      const data = JSON.parse((dataLine ?? "").slice("data: ".length)) as SseData;
      expect(data.type).toBe(event);
      return { event, data };
    });
}

/** Rebuilds the content array from stream events, as an SDK would. */
function reassemble(events: SseEvent[]): Block[] {
  const blocks: Block[] = [];
  const json: string[] = [];
  for (const { data } of events) {
    const i = data.index ?? -1;
    if (data.type === "content_block_start" && data.content_block) {
      blocks[i] = { ...data.content_block };
      json[i] = "";
    }
    const block = blocks[i];
    const delta = data.delta;
    if (data.type === "content_block_delta" && block && delta) {
      if (delta.type === "text_delta") block.text = (block.text ?? "") + (delta.text ?? "");
      if (delta.type === "thinking_delta") block.thinking = (block.thinking ?? "") + (delta.thinking ?? "");
      if (delta.type === "signature_delta") block.signature = delta.signature;
      if (delta.type === "input_json_delta") json[i] = (json[i] ?? "") + (delta.partial_json ?? "");
    }
    if (data.type === "content_block_stop" && block?.type === "tool_use") block.input = JSON.parse(json[i] || "{}");
  }
  return blocks;
}

async function stream(body: Json): Promise<SseEvent[]> {
  const res = await post("/v1/messages", { ...body, stream: true });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("text/event-stream");
  return parseSse(await res.text());
}

const weatherTools = [
  {
    name: "get_weather",
    description: "Weather for a city",
    input_schema: {
      type: "object",
      properties: { city: { type: "string" }, days: { type: "integer" }, metric: { type: "boolean" } },
      required: ["city"],
    },
  },
  {
    name: "get_time",
    input_schema: { type: "object", properties: { zone: { type: "string", enum: ["UTC", "CET"] } } },
  },
];

// ---------- OAuth request rules ----------

describe("OAuth bearer rules", () => {
  test("a well-shaped request answers deterministically with the forward-worthy headers", async () => {
    const res = await post("/v1/messages", messageBody());
    expect(res.status).toBe(200);
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    expect(res.headers.get("anthropic-ratelimit-unified-status")).toBe("allowed");
    const body = (await res.json()) as MessageBody;
    expect(body).toMatchObject({
      type: "message",
      role: "assistant",
      model: MODEL,
      stop_reason: "end_turn",
      stop_sequence: null,
      stop_details: null,
    });
    expect(body.id).toMatch(/^msg_/);
    expect(body.content).toEqual([{ type: "text", text: `Hello from ${MODEL}! You said: hi there` }]);
    expect(body.usage.input_tokens).toBeGreaterThan(0);
    expect(body.usage.output_tokens).toBeGreaterThan(0);
    expect(body.usage.cache_read_input_tokens).toBe(0);
    expect(body.usage.cache_creation_input_tokens).toBe(0);
  });

  test("missing oauth beta → 401", async () => {
    const res = await post("/v1/messages", messageBody(), oauthHeaders({ "anthropic-beta": "claude-code-20250219" }));
    await expectError(res, 401, "authentication_error", "OAuth authentication is currently not supported.");
  });

  test("a beta listed twice → 400", async () => {
    const res = await post("/v1/messages", messageBody(), oauthHeaders({ "anthropic-beta": `${OAUTH_BETA}, ${OAUTH_BETA}` }));
    await expectError(res, 400, "invalid_request_error", /listed more than once/);
  });

  test("anthropic-version missing or sent twice → 400", async () => {
    const headers = oauthHeaders();
    delete headers["anthropic-version"];
    await expectError(await post("/v1/messages", messageBody(), headers), 400, "invalid_request_error", /anthropic-version/);
    const twice = oauthHeaders({ "anthropic-version": "2023-06-01, 2023-06-01" });
    await expectError(await post("/v1/messages", messageBody(), twice), 400, "invalid_request_error", /exactly once/);
  });

  test("both a bearer and an x-api-key → 400", async () => {
    const res = await post("/v1/messages", messageBody(), oauthHeaders({ "x-api-key": API_KEY }));
    await expectError(res, 400, "invalid_request_error");
  });

  test("unknown, expired and revoked tokens → 401 with the real messages", async () => {
    const unknown = oauthHeaders({ authorization: "Bearer sk-ant-oat01-made-up" });
    await expectError(await post("/v1/messages", messageBody(), unknown), 401, "authentication_error", "invalid x-api-key");

    token = fake.issueTokens({ expiresIn: 0 }).access_token;
    await expectError(
      await post("/v1/messages", messageBody()),
      401,
      "authentication_error",
      "OAuth token has expired. Please obtain a new token or refresh your existing token.",
    );

    token = fake.issueTokens().access_token;
    fake.revokeAccessToken(token);
    await expectError(await post("/v1/messages", messageBody()), 401, "authentication_error", /^OAuth token has been revoked/);
  });

  test("the Claude Code identity must be the exact first system block, once", async () => {
    const refusal = "This credential is only authorized for use with Claude Code and cannot be used for other API requests.";
    const cases: Json[] = [
      messageBody({ system: undefined }),
      messageBody({ system: IDENTITY }),
      messageBody({ system: [{ type: "text", text: "Be terse." }, identity] }),
      messageBody({ system: [{ ...identity, cache_control: { type: "ephemeral" } }] }),
    ];
    for (const body of cases) await expectError(await post("/v1/messages", body), 400, "invalid_request_error", refusal);
    const twice = messageBody({ system: [identity, identity] });
    await expectError(await post("/v1/messages", twice), 400, "invalid_request_error", /more than once/);
    expect((await create(messageBody({ system: [identity, { type: "text", text: "Be terse." }] }))).stop_reason).toBe("end_turn");
  });

  test("more than 4 cache_control markers → 400; 4 are fine and report cache reads", async () => {
    const cached = (text: string) => ({ type: "text", text, cache_control: { type: "ephemeral" } });
    const four = messageBody({
      system: [identity, cached("a"), cached("b")],
      messages: [{ role: "user", content: [cached("c"), cached("d")] }],
    });
    const ok = await create(four);
    expect(ok.usage.cache_read_input_tokens).toBeGreaterThan(0);
    const tools = [{ ...weatherTools[0], cache_control: { type: "ephemeral" } }];
    const five = { ...four, tools };
    await expectError(await post("/v1/messages", five), 400, "invalid_request_error", /maximum of 4 blocks with cache_control/);
  });

  test("?beta=true routes like the bare path and is recorded with its query", async () => {
    const res = await post("/v1/messages?beta=true", messageBody());
    expect(res.status).toBe(200);
    const recorded = fake.requests.at(-1);
    expect(recorded).toMatchObject({ method: "POST", path: "/v1/messages", query: "beta=true" });
    expect(recorded?.headers.authorization).toBe(`Bearer ${token}`);
    expect(recorded?.body).toEqual(messageBody());
  });
});

describe("API-key mode", () => {
  const keyHeaders = (key: string) => ({ "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" });

  test("a configured key needs neither the oauth beta nor the identity", async () => {
    const res = await post("/v1/messages", messageBody({ system: "Be terse." }), keyHeaders(API_KEY));
    expect(res.status).toBe(200);
  });

  test("a key may also come as authorization: Bearer (what @anthropic-ai/sdk 1.x sends)", async () => {
    const headers = { authorization: `Bearer ${API_KEY}`, "anthropic-version": "2023-06-01", "content-type": "application/json" };
    expect((await post("/v1/messages", messageBody({ system: "Be terse." }), headers)).status).toBe(200);
    const message = await keySdk().messages.create({ model: MODEL, max_tokens: 50, messages: [{ role: "user", content: "hi" }] });
    expect(message.content[0]).toMatchObject({ type: "text" });
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  test("a wrong key or no credential → 401", async () => {
    await expectError(await post("/v1/messages", messageBody(), keyHeaders("sk-wrong")), 401, "authentication_error", "invalid x-api-key");
    const none = { "anthropic-version": "2023-06-01", "content-type": "application/json" };
    await expectError(await post("/v1/messages", messageBody(), none), 401, "authentication_error");
  });
});

// ---------- body validation ----------

describe("body validation", () => {
  test("unknown model → 404 not_found_error", async () => {
    await expectError(await post("/v1/messages", messageBody({ model: "claude-nope" })), 404, "not_found_error", "model: claude-nope");
  });

  test("a retired model → 404 on messages and count_tokens (the nicknames of 2025 all point at these)", async () => {
    for (const model of RETIRED_MODELS) {
      await expectError(await post("/v1/messages", messageBody({ model })), 404, "not_found_error", `model: ${model}`);
      const count = { ...messageBody({ model }), max_tokens: undefined };
      await expectError(await post("/v1/messages/count_tokens", count), 404, "not_found_error", `model: ${model}`);
    }
  });

  test("max_tokens above the model's max_tokens → 400", async () => {
    const res = await post("/v1/messages", messageBody({ max_tokens: 128_001 }));
    await expectError(res, 400, "invalid_request_error", /128001 > 128000, which is the maximum allowed number of output tokens/);
    expect((await post("/v1/messages", messageBody({ max_tokens: 128_000 }))).status).toBe(200);
  });

  test("max_tokens and messages are required; count_tokens needs no max_tokens", async () => {
    await expectError(await post("/v1/messages", messageBody({ max_tokens: undefined })), 400, "invalid_request_error", /max_tokens/);
    await expectError(await post("/v1/messages", messageBody({ messages: [] })), 400, "invalid_request_error", /messages/);
    const res = await post("/v1/messages/count_tokens", { ...messageBody(), max_tokens: undefined });
    expect(res.status).toBe(200);
  });

  test("thinking: budget rules, and no budget_tokens on disabled", async () => {
    const bad = [
      { type: "enabled", budget_tokens: 512 },
      { type: "enabled", budget_tokens: 2048 },
      { type: "disabled", budget_tokens: 1024 },
      { type: "sometimes" },
    ];
    for (const thinking of bad) {
      await expectError(await post("/v1/messages", messageBody({ max_tokens: 2000, thinking })), 400, "invalid_request_error");
    }
    expect((await create(messageBody({ thinking: { type: "disabled" } }))).content[0]?.type).toBe("text");
  });

  test("images: media type, base64 and bytes are checked", async () => {
    const image = (source: Json) => messageBody({ messages: [{ role: "user", content: [{ type: "image", source }] }] });
    const bad: Json[] = [
      { type: "base64", media_type: "image/bmp", data: TINY_PNG_BASE64 },
      { type: "base64", media_type: "image/png", data: "not base64!" },
      { type: "base64", media_type: "image/png", data: `data:image/png;base64,${TINY_PNG_BASE64}` },
      { type: "base64", media_type: "image/jpeg", data: TINY_PNG_BASE64 },
      { type: "url" },
    ];
    for (const source of bad) await expectError(await post("/v1/messages", image(source)), 400, "invalid_request_error");
    const png = await create(image({ type: "base64", media_type: "image/png", data: TINY_PNG_BASE64 }));
    expect(png.content).toEqual([{ type: "text", text: "I see a image/png image." }]);
    const url = await create(image({ type: "url", url: "https://example.com/cat.png" }));
    expect(url.content).toEqual([{ type: "text", text: "I see a url image." }]);
  });

  test("tool_result must answer a tool_use of the previous assistant turn", async () => {
    const orphan = messageBody({
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: "Let me check." },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_missing", content: "sunny" }] },
      ],
    });
    await expectError(await post("/v1/messages", orphan), 400, "invalid_request_error", /toolu_missing/);
  });

  test("OpenAI-only fields leaking through are refused", async () => {
    await expectError(await post("/v1/messages", messageBody({ n: 1 })), 400, "invalid_request_error", "n: Extra inputs are not permitted");
  });

  test("a body that is not JSON → 400", async () => {
    const res = await fetch(`${fake.url}/v1/messages`, { method: "POST", headers: oauthHeaders(), body: "{nope" });
    await expectError(res, 400, "invalid_request_error");
  });
});

// ---------- answers ----------

describe("answers", () => {
  test("tools → a short text then a tool_use built from the schema", async () => {
    const body = await create(messageBody({ tools: weatherTools }));
    expect(body.stop_reason).toBe("tool_use");
    expect(body.content[0]).toEqual({ type: "text", text: "I'll use the get_weather tool." });
    expect(body.content[1]).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "example", days: 42, metric: true } });
    expect(body.content[1]?.id).toMatch(/^toolu_/);
  });

  test("a named tool_choice picks that tool", async () => {
    const body = await create(messageBody({ tools: weatherTools, tool_choice: { type: "tool", name: "get_time" } }));
    expect(body.content[1]).toMatchObject({ name: "get_time", input: { zone: "UTC" } });
  });

  test("a tool_result turn echoes the result", async () => {
    const first = await create(messageBody({ tools: weatherTools }));
    const use = first.content[1];
    const body = await create(
      messageBody({
        tools: weatherTools,
        messages: [
          { role: "user", content: "weather?" },
          { role: "assistant", content: first.content },
          { role: "user", content: [{ type: "tool_result", tool_use_id: use?.id, content: [{ type: "text", text: "sunny" }] }] },
        ],
      }),
    );
    expect(body.content).toEqual([{ type: "text", text: "Tool result received: sunny" }]);
    expect(body.stop_reason).toBe("end_turn");
  });

  test("stop_sequences cut the reply", async () => {
    const body = await create(messageBody({ stop_sequences: ["said"] }));
    expect(body.content).toEqual([{ type: "text", text: `Hello from ${MODEL}! You ` }]);
    expect(body.stop_reason).toBe("stop_sequence");
    expect(body.stop_sequence).toBe("said");
  });

  test("max_tokens < 5 stops for max_tokens", async () => {
    const body = await create(messageBody({ max_tokens: 2 }));
    expect(body.stop_reason).toBe("max_tokens");
    expect(body.usage.output_tokens).toBeLessThanOrEqual(2);
  });

  test("thinking enabled → a signed thinking block first", async () => {
    const body = await create(messageBody({ max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 1024 } }));
    expect(body.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(body.content[0]?.thinking).not.toBe("");
    expect(body.content[0]?.signature).not.toBe("");
  });

  test("count_tokens gives the same input_tokens as the message usage", async () => {
    const full = messageBody({ tools: weatherTools });
    const message = await create(full);
    const res = await post("/v1/messages/count_tokens", { ...full, max_tokens: undefined });
    expect(await res.json()).toEqual({ input_tokens: message.usage.input_tokens });
  });

  test("GET /v1/models lists the models, with auth", async () => {
    const res = await fetch(`${fake.url}/v1/models`, { headers: oauthHeaders() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: { id: string; type: string; display_name: string }[];
      has_more: boolean;
      first_id: string;
      last_id: string;
    };
    expect(body.has_more).toBe(false);
    expect(body.data.map((m) => m.id)).toContain(MODEL);
    expect(body.data.find((m) => m.id === MODEL)?.display_name).toBe("Claude Sonnet 4.6");
    expect(body.first_id).toBe(body.data[0]?.id ?? "");
    expect(body.last_id).toBe(body.data.at(-1)?.id ?? "");
    await expectError(await fetch(`${fake.url}/v1/models`), 401, "authentication_error");
  });
});

// ---------- streaming ----------

describe("streaming", () => {
  test("events come in the documented order", async () => {
    const events = await stream(messageBody());
    const names = events.map((e) => e.event);
    expect(names.slice(0, 3)).toEqual(["message_start", "ping", "content_block_start"]);
    expect(names.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(names.filter((n) => n === "content_block_delta").length).toBeGreaterThan(2);
    expect(events[0]?.data.message?.content).toEqual([]);
    expect(events[0]?.data.message?.usage.input_tokens).toBeGreaterThan(0);
  });

  test("deltas reassemble to exactly the non-stream content (thinking, text, tool_use)", async () => {
    const body = messageBody({ max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 1024 }, tools: weatherTools });
    const plain = await create(body);
    const events = await stream(body);
    expect(plain.content.map((b) => b.type)).toEqual(["thinking", "text", "tool_use"]);
    expect(reassemble(events)).toEqual(plain.content);
    const delta = events.find((e) => e.event === "message_delta")?.data;
    expect(delta?.delta).toEqual({ stop_reason: plain.stop_reason, stop_sequence: plain.stop_sequence, stop_details: null });
    expect(delta?.usage).toEqual(plain.usage);
  });

  test("tool_use starts with empty input and its JSON arrives in several fragments", async () => {
    const events = await stream(messageBody({ tools: weatherTools }));
    const start = events.find((e) => e.data.content_block?.type === "tool_use");
    expect(start?.data.content_block?.input).toEqual({});
    const fragments = events.filter((e) => e.data.delta?.type === "input_json_delta").map((e) => e.data.delta?.partial_json ?? "");
    expect(fragments.length).toBeGreaterThan(2);
    expect(JSON.parse(fragments.join(""))).toEqual({ city: "example", days: 42, metric: true });
  });
});

// ---------- faults ----------

describe("faults", () => {
  test("status fault: replies once with the given status and headers, then normal service", async () => {
    fake.fault({ status: 429, headers: { "retry-after": "7" } });
    const res = await post("/v1/messages", messageBody());
    expect(res.headers.get("retry-after")).toBe("7");
    await expectError(res, 429, "rate_limit_error");
    expect((await post("/v1/messages", messageBody())).status).toBe(200);
  });

  test("times and routes: a count_tokens fault leaves messages alone", async () => {
    fake.fault({ route: "count_tokens", status: 529, times: 2 });
    expect((await post("/v1/messages", messageBody())).status).toBe(200);
    const count = { ...messageBody(), max_tokens: undefined };
    await expectError(await post("/v1/messages/count_tokens", count), 529, "overloaded_error");
    await expectError(await post("/v1/messages/count_tokens", count), 529, "overloaded_error");
    expect((await post("/v1/messages/count_tokens", count)).status).toBe(200);
  });

  test("an invalid request gets its real error and leaves the fault queued", async () => {
    fake.fault({ status: 500 });
    await expectError(await post("/v1/messages", messageBody({ model: "claude-nope" })), 404, "not_found_error");
    await expectError(await post("/v1/messages", messageBody()), 500, "api_error");
  });

  test("reset: the client sees an error reading the body, not a clean end", async () => {
    fake.fault({ kind: "reset", afterEvents: 3 });
    const res = await post("/v1/messages", messageBody({ stream: true }));
    expect(res.status).toBe(200);
    const reader = res.body?.getReader();
    const decoder = new TextDecoder();
    let received = "";
    const readAll = async () => {
      for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
        received += decoder.decode(chunk.value, { stream: true });
      }
    };
    await expect(readAll()).rejects.toThrow();
    expect(parseSse(received).map((e) => e.event)).toEqual(["message_start", "ping", "content_block_start"]);
    await eventually(() => expect(fake.activeStreams).toBe(0), 2000);
  });

  test("reset on a non-streaming request: the JSON body is cut off", async () => {
    fake.fault({ kind: "reset", afterEvents: 0 });
    const res = await post("/v1/messages", messageBody());
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  test("stream-error: 200, N events, then event: error and the end", async () => {
    fake.fault({ kind: "stream-error", afterEvents: 2 });
    const events = await stream(messageBody());
    expect(events.map((e) => e.event)).toEqual(["message_start", "ping", "error"]);
    expect(events[2]?.data.error).toEqual({ type: "overloaded_error", message: "Overloaded" });
    expect(fake.activeStreams).toBe(0);
  });

  test("drip paces events and activeStreams returns to 0 after the client aborts", async () => {
    fake.fault({ kind: "drip", delayMs: 100 });
    const abort = new AbortController();
    const res = await post("/v1/messages", messageBody({ stream: true }), oauthHeaders(), abort.signal);
    const reader = res.body?.getReader();
    const started = Date.now();
    await reader?.read();
    await reader?.read();
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    expect(fake.activeStreams).toBe(1);
    abort.abort();
    await eventually(() => expect(fake.activeStreams).toBe(0), 2000);
  });

  test("hang: no answer until the client gives up; the fake keeps serving", async () => {
    fake.fault({ route: "any", kind: "hang" });
    const started = Date.now();
    const hung = post("/v1/messages", messageBody(), oauthHeaders(), AbortSignal.timeout(200));
    await expect(hung).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect((await post("/v1/messages", messageBody())).status).toBe(200);
  });
});

// ---------- OAuth endpoints ----------

function pkce() {
  const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const challenge = new Bun.CryptoHasher("sha256").update(verifier).digest("base64url");
  const state = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  return { verifier, challenge, state };
}

function authorizeUrl(challenge: string, state: string, overrides: Record<string, string> = {}) {
  const query = new URLSearchParams({
    code: "true",
    client_id: fake.clientId,
    response_type: "code",
    redirect_uri: fake.redirectUri,
    scope: "org:create_api_key user:profile user:inference",
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
    ...overrides,
  });
  return `${fake.authorizeUrl}?${query}`;
}

function tokenPost(body: Json, contentType = "application/json") {
  return fetch(fake.tokenUrl, { method: "POST", headers: { "content-type": contentType }, body: JSON.stringify(body) });
}

async function login(verifierOverride?: string) {
  const { verifier, challenge, state } = pkce();
  const page = await fetch(authorizeUrl(challenge, state));
  expect(page.status).toBe(200);
  const [code, shownState] = (await page.text()).split("#");
  expect(shownState).toBe(state);
  return tokenPost({
    grant_type: "authorization_code",
    code,
    state,
    client_id: fake.clientId,
    redirect_uri: fake.redirectUri,
    code_verifier: verifierOverride ?? verifier,
  });
}

interface TokenBody {
  token_type: string;
  access_token: string;
  refresh_token: string;
  expires_in: number;
  error?: string;
}

describe("OAuth endpoints", () => {
  test("PKCE exchange with the right verifier mints working tokens", async () => {
    const res = await login();
    expect(res.status).toBe(200);
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    const body = (await res.json()) as TokenBody & { account: { email_address: string }; organization: { name: string } };
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 28800, scope: "user:inference user:profile" });
    expect(body.access_token).toStartWith("sk-ant-oat01-");
    expect(body.refresh_token).toStartWith("sk-ant-ort01-");
    expect(body.account.email_address).toBe("user@example.com");
    expect(fake.exchangeCalls).toBe(1);
    token = body.access_token;
    expect((await post("/v1/messages", messageBody())).status).toBe(200);
  });

  test("a wrong verifier → invalid_grant", async () => {
    const res = await login(pkce().verifier);
    expect(res.status).toBe(400);
    expect(((await res.json()) as TokenBody).error).toBe("invalid_grant");
  });

  test("authorize rejects state equal to the challenge and wrong parameters", async () => {
    const { challenge, state } = pkce();
    expect((await fetch(authorizeUrl(challenge, challenge))).status).toBe(400);
    expect((await fetch(authorizeUrl(challenge, state, { client_id: "someone-else" }))).status).toBe(400);
    expect((await fetch(authorizeUrl(challenge, state, { code_challenge_method: "plain" }))).status).toBe(400);
    expect((await fetch(authorizeUrl(`${challenge}=`, state))).status).toBe(400);
  });

  test("an authorization code works once", async () => {
    const { verifier, challenge, state } = pkce();
    const [code] = (await (await fetch(authorizeUrl(challenge, state))).text()).split("#");
    const exchange = {
      grant_type: "authorization_code",
      code,
      state,
      client_id: fake.clientId,
      redirect_uri: fake.redirectUri,
      code_verifier: verifier,
    };
    expect((await tokenPost(exchange)).status).toBe(200);
    const again = await tokenPost(exchange);
    expect(again.status).toBe(400);
    expect(((await again.json()) as TokenBody).error).toBe("invalid_grant");
  });

  test("refresh tokens rotate and are single use; the old access token stays valid", async () => {
    const first = fake.issueTokens();
    const refresh = (refresh_token: string) => tokenPost({ grant_type: "refresh_token", refresh_token, client_id: fake.clientId });
    const res = await refresh(first.refresh_token);
    expect(res.status).toBe(200);
    const second = (await res.json()) as TokenBody;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);

    const reuse = await refresh(first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as TokenBody).error).toBe("invalid_grant");
    expect((await refresh(second.refresh_token)).status).toBe(200);
    expect(fake.refreshCalls).toBe(3);

    token = first.access_token;
    expect((await post("/v1/messages", messageBody())).status).toBe(200);
  });

  test("a revoked refresh token → invalid_grant", async () => {
    const pair = fake.issueTokens();
    fake.revokeRefreshToken(pair.refresh_token);
    const res = await tokenPost({ grant_type: "refresh_token", refresh_token: pair.refresh_token, client_id: fake.clientId });
    expect(res.status).toBe(400);
    expect(((await res.json()) as TokenBody).error).toBe("invalid_grant");
  });

  test("the token endpoint wants JSON and is recorded apart from /v1 requests", async () => {
    const pair = fake.issueTokens();
    const res = await tokenPost(
      { grant_type: "refresh_token", refresh_token: pair.refresh_token, client_id: fake.clientId },
      "application/x-www-form-urlencoded",
    );
    expect(res.status).toBe(400);
    expect(fake.tokenRequests.length).toBe(1);
    expect(fake.tokenRequests[0]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(fake.requests.length).toBe(0);
  });

  test("token faults: status with the OAuth error shape, and delay", async () => {
    const pair = fake.issueTokens();
    const body = { grant_type: "refresh_token", refresh_token: pair.refresh_token, client_id: fake.clientId };
    fake.fault({ route: "token", status: 503 });
    const failed = await tokenPost(body);
    expect(failed.status).toBe(503);
    expect(((await failed.json()) as TokenBody).error).toBe("server_error");
    expect(fake.refreshCalls).toBe(1);

    fake.fault({ route: "token", kind: "delay", delayMs: 150 });
    const started = Date.now();
    expect((await tokenPost(body)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

// ---------- the 2026 API: catalogue, rules, policy, plan, scripts ----------

const V2026 = "2026-10-21";

/** The official SDK with a subscription token (SDK 1.x sends anthropic-version 2026-10-21 unless told otherwise). */
function oauthSdk(defaultHeaders: Record<string, string> = {}) {
  return new Anthropic({
    baseURL: fake.url,
    apiKey: null,
    authToken: token,
    defaultHeaders: { "anthropic-beta": OAUTH_BETA, ...defaultHeaders },
    maxRetries: 0,
  });
}

function keySdk(defaultHeaders: Record<string, string> = {}) {
  return new Anthropic({ baseURL: fake.url, apiKey: API_KEY, authToken: null, defaultHeaders, maxRetries: 0 });
}

interface ModelsPage {
  data: FakeModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

async function listModels(query = ""): Promise<ModelsPage> {
  const res = await fetch(`${fake.url}/v1/models${query}`, { headers: oauthHeaders() });
  expect(res.status).toBe(200);
  return (await res.json()) as ModelsPage;
}

async function modelInfo(id: string): Promise<FakeModelInfo> {
  const res = await fetch(`${fake.url}/v1/models/${id}`, { headers: oauthHeaders() });
  expect(res.status).toBe(200);
  return (await res.json()) as FakeModelInfo;
}

/** Every model a request may name by default, with what /v1/models says about it. */
async function callableModels(): Promise<FakeModelInfo[]> {
  return (await listModels()).data;
}

const CALLABLE = [...DEFAULT_MODELS, ...DEPRECATED_MODELS];

describe("model catalogue (GET /v1/models)", () => {
  test("newest first by created_at, active and deprecated by default, every ModelInfo key and capability present", async () => {
    const page = await listModels();
    expect(page.data.map((m) => m.id)).toEqual([
      "claude-fable-5-2",
      "claude-haiku-5-5",
      "claude-sonnet-5-5",
      "claude-opus-5-5",
      "claude-opus-5",
      "claude-sonnet-5",
      "claude-opus-4-8",
      "claude-opus-4-7",
      "claude-sonnet-4-6",
      "claude-opus-4-6",
      "claude-opus-4-5",
      "claude-haiku-4-5",
      "claude-sonnet-4-5",
    ]);
    const dates = page.data.map((m) => m.created_at);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(page).toMatchObject({ has_more: false, first_id: "claude-fable-5-2", last_id: "claude-sonnet-4-5" });
    for (const model of page.data) {
      expect(Object.keys(model).sort()).toEqual([
        "capabilities",
        "created_at",
        "deprecated_at",
        "display_name",
        "id",
        "lifecycle",
        "line",
        "max_input_tokens",
        "max_tokens",
        "retires_at",
        "type",
      ]);
      expect(Object.keys(model.capabilities).sort()).toEqual([
        "batch",
        "citations",
        "code_execution",
        "context_management",
        "effort",
        "image_input",
        "pdf_input",
        "server_tools",
        "structured_outputs",
        "thinking",
      ]);
      expect(Object.keys(model.capabilities.thinking.types).sort()).toEqual(["adaptive", "between_tools", "disabled", "enabled"]);
      expect(Object.keys(model.capabilities.effort).sort()).toEqual(["high", "low", "max", "medium", "supported", "xhigh"]);
      expect(model).toMatchObject({ type: "model", max_input_tokens: 1_000_000, max_tokens: 128_000 });
      expect(model.capabilities.thinking.types.adaptive.supported).toBe(true);
    }
    const fable = page.data[0];
    expect(fable).toMatchObject({
      display_name: "Claude Fable 5.2",
      line: "fable",
      lifecycle: "active",
      deprecated_at: null,
      retires_at: null,
    });
    const sonnet45 = page.data.at(-1);
    expect(sonnet45?.lifecycle).toBe("deprecated");
    expect(sonnet45?.deprecated_at).toMatch(/^2026-/);
    expect(sonnet45?.retires_at).toMatch(/^2027-/);
  });

  test("lifecycle[] filters (retired only when asked); invalid or more than 3 values → 400", async () => {
    const retired = await listModels("?lifecycle[]=retired");
    expect(retired.data.map((m) => m.id).sort()).toEqual([...RETIRED_MODELS].sort());
    expect(retired.data.every((m) => m.lifecycle === "retired" && m.retires_at !== null)).toBe(true);
    const deprecated = await listModels("?lifecycle[]=deprecated");
    expect(deprecated.data.map((m) => m.id)).toEqual(["claude-opus-4-5", "claude-haiku-4-5", "claude-sonnet-4-5"]);
    const all = await listModels("?lifecycle[]=active&lifecycle[]=deprecated&lifecycle[]=retired&limit=100");
    expect(all.data.length).toBe(DEFAULT_CATALOGUE.length);
    const bad = await fetch(`${fake.url}/v1/models?lifecycle[]=legacy`, { headers: oauthHeaders() });
    await expectError(bad, 400, "invalid_request_error", /lifecycle/);
    const four = "?lifecycle[]=active&lifecycle[]=active&lifecycle[]=deprecated&lifecycle[]=retired";
    await expectError(await fetch(`${fake.url}/v1/models${four}`, { headers: oauthHeaders() }), 400, "invalid_request_error", /at most 3/);
  });

  test("limit, after_id and before_id page like the real API", async () => {
    const first = await listModels("?limit=5");
    expect(first.data.length).toBe(5);
    expect(first.has_more).toBe(true);
    const second = await listModels(`?limit=5&after_id=${first.last_id}`);
    expect(second.data[0]?.id).toBe("claude-sonnet-5");
    const third = await listModels(`?limit=5&after_id=${second.last_id}`);
    expect(third.data.length).toBe(3);
    expect(third.has_more).toBe(false);
    const back = await listModels(`?limit=2&before_id=${third.first_id}`);
    expect(back.data.map((m) => m.id)).toEqual(second.data.slice(-2).map((m) => m.id));
    expect(back.has_more).toBe(true);
    for (const limit of ["0", "1001", "abc"]) {
      const res = await fetch(`${fake.url}/v1/models?limit=${limit}`, { headers: oauthHeaders() });
      await expectError(res, 400, "invalid_request_error", /limit/);
    }
  });

  test("GET /v1/models/{id}: aliases resolve, a retired model is described, an unknown one is 404", async () => {
    expect((await modelInfo("claude-haiku-4-5-20251001")).id).toBe("claude-haiku-4-5");
    const retired = await modelInfo("claude-3-5-sonnet-20241022");
    expect(retired).toMatchObject({ lifecycle: "retired", display_name: "Claude 3.5 Sonnet", line: "sonnet" });
    const unknown = await fetch(`${fake.url}/v1/models/claude-nope`, { headers: oauthHeaders() });
    await expectError(unknown, 404, "not_found_error", "model: claude-nope");
  });

  test("the SDK's iterators page through it, with an API key and with a subscription token", async () => {
    for (const client of [keySdk(), oauthSdk()]) {
      const ids: string[] = [];
      for await (const model of client.models.list({ limit: 4 })) ids.push(model.id);
      expect(ids).toEqual((await listModels()).data.map((m) => m.id));
      const retired: string[] = [];
      for await (const model of client.models.list({ limit: 2, lifecycle: ["retired"] })) retired.push(model.id);
      expect(retired.sort()).toEqual([...RETIRED_MODELS].sort());
      expect((await client.models.retrieve("claude-sonnet-4-5-20250929")).id).toBe("claude-sonnet-4-5");
    }
    const query = fake.requests.find((r) => r.query.includes("lifecycle"))?.query ?? "";
    expect(decodeURIComponent(query)).toContain("lifecycle[]=retired");
  });

  test("deprecated models and dated aliases stay callable; the reply names the model as sent", async () => {
    for (const model of ["claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"]) {
      expect((await create(messageBody({ model }))).model).toBe(model);
    }
  });

  test("releaseModel, deprecateModel and retireModel change the catalogue while the fake runs", async () => {
    const released = fake.releaseModel({ id: "claude-haiku-6", effort: ["low"] });
    expect(released).toMatchObject({ line: "haiku", lifecycle: "active", max_tokens: 128_000 });
    expect((await listModels()).first_id).toBe("claude-haiku-6");
    expect((await create(messageBody({ model: "claude-haiku-6" }))).model).toBe("claude-haiku-6");

    fake.deprecateModel("claude-haiku-5-5", "2027-06-01T00:00:00Z");
    expect(await modelInfo("claude-haiku-5-5")).toMatchObject({ lifecycle: "deprecated", retires_at: "2027-06-01T00:00:00Z" });
    expect((await listModels("?lifecycle[]=active")).data.map((m) => m.id)).not.toContain("claude-haiku-5-5");
    expect((await create(messageBody({ model: "claude-haiku-5-5" }))).model).toBe("claude-haiku-5-5");

    fake.retireModel("claude-haiku-5-5");
    expect((await modelInfo("claude-haiku-5-5")).lifecycle).toBe("retired");
    expect((await listModels()).data.map((m) => m.id)).not.toContain("claude-haiku-5-5");
    await expectError(await post("/v1/messages", messageBody({ model: "claude-haiku-5-5" })), 404, "not_found_error");
  });

  test("a test's own catalogue: bare ids and partial specs get sensible defaults", async () => {
    await fake.close();
    fake = await startFakeAnthropic({
      models: ["claude-test-1", { id: "claude-opus-9", created_at: "2027-01-01T00:00:00Z", effort: [], thinking: { enabled: false } }],
    });
    token = fake.issueTokens().access_token;
    const page = await listModels();
    expect(page.data.map((m) => m.id)).toEqual(["claude-opus-9", "claude-test-1"]);
    expect(page.data[1]).toMatchObject({ line: null, lifecycle: "active", display_name: "Claude Test 1" });
    expect(page.data[0]?.capabilities.effort.supported).toBe(false);
    await expectError(await post("/v1/messages", messageBody({ model: MODEL })), 404, "not_found_error");
    const refused = messageBody({ model: "claude-opus-9", max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 1024 } });
    await expectError(await post("/v1/messages", refused), 400, "invalid_request_error", /thinking\.type\.enabled/);
  });
});

describe("thinking (2026 rules)", () => {
  const adaptive = { type: "adaptive" };
  const budget = { type: "enabled", budget_tokens: 1024 };

  test("each thinking type is accepted exactly where capabilities.thinking.types says so", async () => {
    const types = { adaptive, enabled: budget, disabled: { type: "disabled" }, between_tools: { type: "between_tools" } };
    for (const model of await callableModels()) {
      for (const [name, thinking] of Object.entries(types)) {
        const supported = model.capabilities.thinking.types[name as keyof typeof types].supported;
        const res = await post("/v1/messages", messageBody({ model: model.id, max_tokens: 4096, thinking }));
        expect(`${model.id} ${name} ${res.status}`).toBe(`${model.id} ${name} ${supported ? 200 : 400}`);
        if (!supported) await expectError(res, 400, "invalid_request_error", new RegExp(`thinking\\.type\\.${name}`));
      }
    }
    const refusesBudget = CALLABLE.filter(
      (id) => !["claude-sonnet-4-6", "claude-opus-4-6", "claude-opus-4-5", "claude-haiku-4-5", "claude-sonnet-4-5"].includes(id),
    );
    for (const id of refusesBudget) {
      expect((await modelInfo(id)).capabilities.thinking.types.enabled.supported).toBe(false);
    }
    for (const id of ["claude-opus-5-5", "claude-fable-5-2"]) {
      expect((await modelInfo(id)).capabilities.thinking.types.disabled.supported).toBe(false);
    }
  });

  test("adaptive thinking: a signed thinking block, display summarized or omitted, thinking_tokens in usage", async () => {
    const shown = await create(messageBody({ thinking: { ...adaptive, display: "summarized" } }));
    expect(shown.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(shown.content[0]?.thinking).not.toBe("");
    const thinkingTokens = shown.usage.output_tokens_details?.thinking_tokens ?? 0;
    expect(thinkingTokens).toBeGreaterThan(0);
    expect(thinkingTokens).toBeLessThanOrEqual(shown.usage.output_tokens);

    const hidden = await create(messageBody({ thinking: { ...adaptive, display: "omitted" } }));
    expect(hidden.content[0]).toMatchObject({ type: "thinking", thinking: "" });
    expect(hidden.content[0]?.signature).not.toBe("");
    expect(hidden.usage.output_tokens_details?.thinking_tokens).toBe(thinkingTokens);

    const plain = await create(messageBody());
    expect(plain.content.map((b) => b.type)).toEqual(["text"]);
    expect(plain.usage.output_tokens_details).toBeUndefined();
    await expectError(
      await post("/v1/messages", messageBody({ thinking: { ...adaptive, display: "full" } })),
      400,
      "invalid_request_error",
    );
    await expectError(
      await post("/v1/messages", messageBody({ thinking: { ...adaptive, budget_tokens: 2048 } })),
      400,
      "invalid_request_error",
      /Extra inputs/,
    );
  });

  test("models that always think do so without being asked; the newest omit the text unless asked", async () => {
    const fable = await create(messageBody({ model: "claude-fable-5-2" }));
    expect(fable.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(fable.content[0]?.thinking).toBe("");
    const sonnet = await create(messageBody({ model: "claude-sonnet-5-5", thinking: adaptive }));
    expect(sonnet.content[0]?.thinking).toBe("");
    const summarized = await create(messageBody({ model: "claude-sonnet-5-5", thinking: { ...adaptive, display: "summarized" } }));
    expect(summarized.content[0]?.thinking).not.toBe("");
    expect((await create(messageBody({ model: "claude-sonnet-5-5" }))).content.map((b) => b.type)).toEqual(["text"]);
  });

  test("forced tool use: refused by Opus 5.5 and Fable, and alongside thinking everywhere", async () => {
    for (const model of ["claude-opus-5-5", "claude-fable-5-2"]) {
      for (const tool_choice of [{ type: "any" }, { type: "tool", name: "get_time" }]) {
        const res = await post("/v1/messages", messageBody({ model, tools: weatherTools, tool_choice }));
        await expectError(res, 400, "invalid_request_error", /tool_choice/);
      }
      expect((await create(messageBody({ model, tools: weatherTools, tool_choice: { type: "auto" } }))).stop_reason).toBe("tool_use");
    }
    const withThinking = messageBody({ model: "claude-sonnet-5-5", thinking: adaptive, tools: weatherTools, tool_choice: { type: "any" } });
    await expectError(await post("/v1/messages", withThinking), 400, "invalid_request_error", /forces tool use/);
    expect((await create(messageBody({ model: "claude-sonnet-5-5", tools: weatherTools, tool_choice: { type: "any" } }))).stop_reason).toBe(
      "tool_use",
    );
  });

  test("a thinking block sent back must keep its signature and text (omitted ones too)", async () => {
    for (const display of ["summarized", "omitted"]) {
      const first = await create(messageBody({ thinking: { ...adaptive, display } }));
      const turn = (content: Block[]) =>
        messageBody({
          thinking: adaptive,
          messages: [
            { role: "user", content: "hi there" },
            { role: "assistant", content },
            { role: "user", content: "and again" },
          ],
        });
      expect((await post("/v1/messages", turn(first.content))).status).toBe(200);
      const [thought, ...rest] = first.content;
      const block: Block = thought ?? { type: "thinking" };
      const edited = { ...block, thinking: `${block.thinking ?? ""} (edited)` };
      await expectError(
        await post("/v1/messages", turn([edited, ...rest])),
        400,
        "invalid_request_error",
        "messages.1.content.0: Invalid `signature` in `thinking` block",
      );
      const forged = { ...block, signature: "EqQBforged" };
      await expectError(await post("/v1/messages", turn([forged, ...rest])), 400, "invalid_request_error", /Invalid `signature`/);
    }
    expect(thinkingBlock("a thought", "omitted")).toEqual({
      type: "thinking",
      thinking: "",
      signature: signThinking("a thought", "omitted"),
    });
  });

  test("in a tool loop with thinking on, the answered assistant turn must start with its thinking block", async () => {
    const first = await create(messageBody({ thinking: adaptive, tools: weatherTools }));
    expect(first.content.map((b) => b.type)).toEqual(["thinking", "text", "tool_use"]);
    const loop = (assistant: Block[]) =>
      messageBody({
        thinking: adaptive,
        tools: weatherTools,
        messages: [
          { role: "user", content: "weather?" },
          { role: "assistant", content: assistant },
          { role: "user", content: [{ type: "tool_result", tool_use_id: first.content[2]?.id, content: "sunny" }] },
        ],
      });
    const stripped = await post("/v1/messages", loop(first.content.slice(1)));
    await expectError(
      stripped,
      400,
      "invalid_request_error",
      /^messages\.1\.content\.0\.type: Expected `thinking` or `redacted_thinking`, but found `text`/,
    );
    const answered = await create(loop(first.content));
    expect(answered.content.at(-1)).toEqual({ type: "text", text: "Tool result received: sunny" });
    const withoutThinking = { ...loop(first.content.slice(1)), thinking: undefined };
    expect((await post("/v1/messages", withoutThinking)).status).toBe(200);
  });

  test("between_tools: no thinking up front, a short progress thought after a tool result", async () => {
    const model = "claude-sonnet-5-5";
    const first = await create(messageBody({ model, thinking: { type: "between_tools" }, tools: weatherTools }));
    expect(first.content.map((b) => b.type)).toEqual(["text", "tool_use"]);
    const next = await create(
      messageBody({
        model,
        thinking: { type: "between_tools" },
        tools: weatherTools,
        messages: [
          { role: "user", content: "weather?" },
          { role: "assistant", content: first.content },
          { role: "user", content: [{ type: "tool_result", tool_use_id: first.content[1]?.id, content: "sunny" }] },
        ],
      }),
    );
    expect(next.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(next.content[0]?.thinking).not.toBe("");
  });
});

describe("output_config", () => {
  test("effort: accepted exactly at the levels capabilities.effort lists, else 400 naming the allowed ones", async () => {
    for (const model of await callableModels()) {
      for (const level of ["low", "medium", "high", "xhigh", "max"] as const) {
        const supported = model.capabilities.effort[level]?.supported === true;
        const res = await post("/v1/messages", messageBody({ model: model.id, output_config: { effort: level } }));
        expect(`${model.id} ${level} ${res.status}`).toBe(`${model.id} ${level} ${supported ? 200 : 400}`);
      }
    }
    const sonnet = await post("/v1/messages", messageBody({ model: "claude-sonnet-5-5", output_config: { effort: "max" } }));
    await expectError(
      sonnet,
      400,
      "invalid_request_error",
      "output_config.effort: 'max' is not supported by claude-sonnet-5-5. Supported levels: low, medium, high, xhigh.",
    );
    const haiku = await post("/v1/messages", messageBody({ model: "claude-haiku-4-5", output_config: { effort: "low" } }));
    await expectError(haiku, 400, "invalid_request_error", /does not support the effort parameter/);
    const bogus = await post("/v1/messages", messageBody({ output_config: { effort: "extreme" } }));
    await expectError(bogus, 400, "invalid_request_error", /output_config\.effort: Input should be/);
    const counted = await post("/v1/messages/count_tokens", {
      ...messageBody({ output_config: { effort: "xhigh" } }),
      max_tokens: undefined,
    });
    await expectError(counted, 400, "invalid_request_error", /xhigh/);
  });

  test("format json_schema: the reply's text is JSON that fits the schema, streamed or not", async () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, temperature: { type: "number" }, unit: { type: "string", enum: ["C", "F"] } },
      required: ["city", "temperature", "unit"],
      additionalProperties: false,
    };
    const body = messageBody({ output_config: { format: { type: "json_schema", schema } } });
    const plain = await create(body);
    expect(JSON.parse(plain.content[0]?.text ?? "")).toEqual({ city: "example", temperature: 42, unit: "C" });
    expect(reassemble(await stream(body))).toEqual(plain.content);
    const notObject = messageBody({ output_config: { format: { type: "json_schema", schema: { type: "array" } } } });
    await expectError(await post("/v1/messages", notObject), 400, "invalid_request_error", /output_config\.format\.schema/);
    const wrongType = messageBody({ output_config: { format: { type: "json_object" } } });
    await expectError(await post("/v1/messages", wrongType), 400, "invalid_request_error", /output_config\.format\.type/);
  });
});

describe("anthropic-version 2023-06-01 and 2026-10-21", () => {
  const v2026 = () => oauthHeaders({ "anthropic-version": V2026 });

  test("2026-10-21 refuses temperature, top_p and top_k at any value", async () => {
    expect((await post("/v1/messages", messageBody(), v2026())).status).toBe(200);
    for (const [field, value] of [
      ["temperature", 1],
      ["top_p", 0.9],
      ["top_k", 5],
      ["temperature", null],
    ] as const) {
      const res = await post("/v1/messages", messageBody({ [field]: value }), v2026());
      await expectError(res, 400, "invalid_request_error", new RegExp(`^${field}: Extra inputs are not permitted`));
    }
  });

  test("2026-10-21 refuses document blocks in assistant turns and citations on user text", async () => {
    const document = { type: "document", source: { type: "text", media_type: "text/plain", data: "notes" } };
    const assistantDoc = messageBody({
      messages: [
        { role: "user", content: "read this" },
        { role: "assistant", content: [document] },
        { role: "user", content: "thanks" },
      ],
    });
    await expectError(
      await post("/v1/messages", assistantDoc, v2026()),
      400,
      "invalid_request_error",
      /messages\.1\.content\.0: `document` blocks/,
    );
    expect((await post("/v1/messages", assistantDoc)).status).toBe(200);
    const citation = { type: "char_location", cited_text: "notes", document_index: 0, start_char_index: 0, end_char_index: 5 };
    const cited = messageBody({ messages: [{ role: "user", content: [{ type: "text", text: "see notes", citations: [citation] }] }] });
    await expectError(await post("/v1/messages", cited, v2026()), 400, "invalid_request_error", /messages\.0\.content\.0\.citations/);
    expect((await post("/v1/messages", cited)).status).toBe(200);
  });

  test("2023-06-01: only models without sampling refuse non-default values (temperature 1 and top_p 1 are defaults)", async () => {
    for (const model of ["claude-opus-4-7", "claude-sonnet-5", "claude-haiku-5-5", "claude-opus-5-5", "claude-fable-5-2"]) {
      for (const extra of [{ temperature: 0.5 }, { top_p: 0.9 }, { top_k: 10 }]) {
        const res = await post("/v1/messages", messageBody({ model, ...extra }));
        await expectError(res, 400, "invalid_request_error", /is deprecated for this model/);
      }
      const defaults = messageBody({ model, temperature: 1, top_p: 1, tools: weatherTools, tool_choice: { type: "auto" } });
      expect((await post("/v1/messages", defaults)).status).toBe(200);
    }
    for (const model of ["claude-sonnet-4-6", "claude-opus-4-6", "claude-haiku-4-5"]) {
      expect((await post("/v1/messages", messageBody({ model, temperature: 0.2, top_p: 0.9, top_k: 10 }))).status).toBe(200);
    }
    await expectError(await post("/v1/messages", messageBody({ temperature: 1.5 })), 400, "invalid_request_error", /temperature/);
  });

  test("the official SDK (2026-10-21 by default, 2023-06-01 when told) sees the same rules", async () => {
    const system = [{ type: "text" as const, text: IDENTITY }];
    const params = { model: MODEL, max_tokens: 100, system, messages: [{ role: "user" as const, content: "hi" }] };
    const latest = oauthSdk();
    const message = await latest.messages.create(params);
    expect(message.content[0]).toMatchObject({ type: "text" });
    expect(fake.requests.at(-1)?.headers["anthropic-version"]).toBe(V2026);
    const refused = await latest.messages.create({ ...params, temperature: 0.5 } as never).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);

    const legacy = oauthSdk({ "anthropic-version": "2023-06-01" });
    const sampled = await legacy.messages.create({ ...params, temperature: 0.5 } as never);
    expect(sampled.stop_reason).toBe("end_turn");
    expect(fake.requests.at(-1)?.headers["anthropic-version"]).toBe("2023-06-01");
  });

  test("mid-conversation system messages are accepted (text only)", async () => {
    const body = messageBody({
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
        { role: "system", content: "Be terse from now on." },
        { role: "user", content: "again" },
      ],
    });
    expect((await post("/v1/messages", body)).status).toBe(200);
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: TINY_PNG_BASE64 } };
    const bad = messageBody({
      messages: [
        { role: "system", content: [image] },
        { role: "user", content: "hi" },
      ],
    });
    await expectError(await post("/v1/messages", bad), 400, "invalid_request_error", /messages\.0\.content\.0\.type/);
  });
});

describe("policy, plan and version errors", () => {
  test("claude_code_version_too_old: a claude-cli user-agent below the minimum (other clients are not checked)", async () => {
    const old = oauthHeaders({ "user-agent": "claude-cli/2.0.76 (external, cli)" });
    const body = await expectError(await post("/v1/messages", messageBody(), old), 400, "invalid_request_error", /2\.0\.76/);
    expect(body.error.details).toEqual({ error_code: "claude_code_version_too_old" });
    for (const agent of ["claude-cli/2.1.0 (external, cli)", "claude-cli/2.1.332 (external, cli)", "maximize/0.1.0"]) {
      expect((await post("/v1/messages", messageBody(), oauthHeaders({ "user-agent": agent }))).status).toBe(200);
    }
    const error = await oauthSdk({ "user-agent": "claude-cli/1.0.0 (external, cli)" })
      .messages.countTokens({ model: MODEL, system: [{ type: "text", text: IDENTITY }], messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.APIError>).errorCode).toBe("claude_code_version_too_old");

    await fake.close();
    fake = await startFakeAnthropic({ minClaudeCodeVersion: "3.0.0" });
    token = fake.issueTokens().access_token;
    const raised = await post("/v1/messages", messageBody(), oauthHeaders({ "user-agent": "claude-cli/2.9.9 (external, cli)" }));
    await expectError(raised, 400, "invalid_request_error", /3\.0\.0/);
  });

  test("POLICY_ERRORS queue as status faults: status, type, message and error.details arrive intact", async () => {
    for (const [name, fault] of Object.entries(POLICY_ERRORS)) {
      fake.fault(fault);
      const res = await post("/v1/messages", messageBody());
      const body = await expectError(res, fault.status, fault.body.error.type, fault.body.error.message);
      expect(body.error.details).toEqual("details" in fault.body.error ? fault.body.error.details : undefined);
      expect(name).toBeTruthy();
    }
    expect(POLICY_ERRORS.third_party_extra_usage.body.error.message).toStartWith(
      "Third-party apps now draw from your extra usage, not your plan limits",
    );
    expect(POLICY_ERRORS.long_context_extra_usage.body.error.message).toBe("Extra usage is required for long context requests.");
    fake.fault(POLICY_ERRORS.credits_required);
    const error = await oauthSdk()
      .messages.create({
        model: MODEL,
        max_tokens: 50,
        system: [{ type: "text", text: IDENTITY }],
        messages: [{ role: "user", content: "hi" }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as InstanceType<typeof Anthropic.APIError>).errorCode).toBe("credits_required");
  });

  test("a subscription's long-context request needs extra usage; API keys are not affected", async () => {
    const long = messageBody({ messages: [{ role: "user", content: "x".repeat(900_000) }] });
    await expectError(await post("/v1/messages", long), 429, "rate_limit_error", "Extra usage is required for long context requests.");
    const keyHeaders = { "x-api-key": API_KEY, "anthropic-version": "2023-06-01", "content-type": "application/json" };
    expect((await post("/v1/messages", long, keyHeaders)).status).toBe(200);
    fake.setPlan({ extraUsage: { is_enabled: true, monthly_limit: 5000, used_credits: 0, utilization: 0 } });
    expect((await post("/v1/messages", long)).status).toBe(200);
  });

  test("unified plan headers on every answer to a subscription caller, none for API keys", async () => {
    const ok = await post("/v1/messages", messageBody());
    expect(ok.headers.get("anthropic-ratelimit-unified-status")).toBe("allowed");
    expect(ok.headers.get("anthropic-ratelimit-unified-representative-claim")).toBe("five_hour");
    expect(ok.headers.get("anthropic-ratelimit-unified-5h-utilization")).toBe("0.12");
    expect(Number(ok.headers.get("anthropic-ratelimit-unified-5h-reset"))).toBeGreaterThan(Date.now() / 1000);
    expect(ok.headers.get("anthropic-ratelimit-unified-7d-utilization")).toBe("0.34");
    expect(ok.headers.get("anthropic-ratelimit-unified-reset")).toBe(ok.headers.get("anthropic-ratelimit-unified-5h-reset"));
    const invalid = await post("/v1/messages", messageBody({ max_tokens: undefined }));
    expect(invalid.headers.get("anthropic-ratelimit-unified-status")).toBe("allowed");
    const models = await fetch(`${fake.url}/v1/models`, { headers: oauthHeaders() });
    expect(models.headers.get("anthropic-ratelimit-unified-status")).toBe("allowed");

    const keyHeaders = { "x-api-key": API_KEY, "anthropic-version": "2023-06-01", "content-type": "application/json" };
    const byKey = await post("/v1/messages", messageBody(), keyHeaders);
    expect([...byKey.headers.keys()].filter((name) => name.startsWith("anthropic-ratelimit-unified"))).toEqual([]);

    fake.setPlan({
      status: "allowed_warning",
      representativeClaim: "seven_day",
      windows: { "7d": { utilization: 0.91, surpassedThreshold: 0.9 } },
    });
    const warned = await post("/v1/messages", messageBody());
    expect(warned.headers.get("anthropic-ratelimit-unified-status")).toBe("allowed_warning");
    expect(warned.headers.get("anthropic-ratelimit-unified-7d-status")).toBe("allowed_warning");
    expect(warned.headers.get("anthropic-ratelimit-unified-7d-surpassed-threshold")).toBe("0.9");
    expect(warned.headers.get("anthropic-ratelimit-unified-reset")).toBe(warned.headers.get("anthropic-ratelimit-unified-7d-reset"));
  });

  test("a rejected plan: inference is 429 rate_limit_error with the plan headers and retry-after; count_tokens still works", async () => {
    const resetsAt = Math.floor(Date.now() / 1000) + 600;
    fake.setPlan({ status: "rejected", windows: { "5h": { utilization: 1, resetsAt } } });
    const res = await post("/v1/messages", messageBody({ stream: true }));
    expect(res.headers.get("anthropic-ratelimit-unified-status")).toBe("rejected");
    expect(res.headers.get("anthropic-ratelimit-unified-5h-status")).toBe("rejected");
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    await expectError(res, 429, "rate_limit_error");
    expect((await post("/v1/messages/count_tokens", { ...messageBody(), max_tokens: undefined })).status).toBe(200);
    fake.setPlan({ status: "allowed" });
    expect((await post("/v1/messages", messageBody())).status).toBe(200);
  });

  test("GET /api/oauth/usage reports the same state (percent by default, fraction on request)", async () => {
    const usageHeaders = { authorization: `Bearer ${token}`, "anthropic-beta": OAUTH_BETA };
    fake.setPlan({ extraUsage: { is_enabled: true, monthly_limit: 2000, used_credits: 150, utilization: 0.075 } });
    const res = await fetch(`${fake.url}/api/oauth/usage`, { headers: usageHeaders });
    expect(res.status).toBe(200);
    type Window = { utilization: number; resets_at: string } | null;
    const usage = (await res.json()) as Record<"five_hour" | "seven_day" | "seven_day_opus" | "seven_day_sonnet", Window> & {
      extra_usage: unknown;
    };
    expect(usage.five_hour?.utilization).toBe(12);
    expect(Date.parse(usage.five_hour?.resets_at ?? "")).toBe(fake.plan.windows["5h"]!.resetsAt * 1000);
    expect(usage.seven_day?.utilization).toBe(34);
    expect(usage.seven_day_opus).toBeNull();
    expect(usage.seven_day_sonnet).toBeNull();
    expect(usage.extra_usage).toEqual({ is_enabled: true, monthly_limit: 2000, used_credits: 150, utilization: 7.5 });
    expect(fake.requests.at(-1)?.path).toBe("/api/oauth/usage");

    fake.setPlan({ usageScale: "fraction", windows: { "7d_opus": { utilization: 0.5 } } });
    const fraction = (await (await fetch(`${fake.url}/api/oauth/usage`, { headers: usageHeaders })).json()) as typeof usage;
    expect(fraction.five_hour?.utilization).toBe(0.12);
    expect(fraction.seven_day_opus?.utilization).toBe(0.5);

    const noBeta = await fetch(`${fake.url}/api/oauth/usage`, { headers: { authorization: `Bearer ${token}` } });
    await expectError(noBeta, 401, "authentication_error");
    const byKey = await fetch(`${fake.url}/api/oauth/usage`, { headers: { "x-api-key": API_KEY } });
    await expectError(byKey, 401, "authentication_error");
    fake.fault({ route: "usage", status: 500 });
    await expectError(await fetch(`${fake.url}/api/oauth/usage`, { headers: usageHeaders }), 500, "api_error");
  });
});

describe("scripted replies (new blocks, stop reasons and events)", () => {
  const webSearch = [
    { type: "server_tool_use", id: "srvtoolu_01", name: "web_search", input: { query: "weather in Paris" } },
    {
      type: "web_search_tool_result",
      tool_use_id: "srvtoolu_01",
      content: [{ type: "web_search_result", url: "https://example.com", title: "Weather", encrypted_content: "abc", page_age: null }],
    },
    { type: "fallback", from: { model: "claude-fable-5-2" }, to: { model: "claude-opus-5-5" }, trigger: { type: "refusal" } },
    { type: "text", text: "It is sunny." },
  ];

  test("JSON: the scripted content and stop reason come back verbatim, once", async () => {
    fake.fault({ kind: "script", content: webSearch, stop_reason: "pause_turn" });
    const body = await create(messageBody());
    expect(body.content as unknown[]).toEqual(webSearch);
    expect(body.stop_reason).toBe("pause_turn");
    expect(body.stop_details).toBeNull();
    expect(body.usage.output_tokens).toBeGreaterThan(0);
    expect((await create(messageBody())).stop_reason).toBe("end_turn");
  });

  test("refusal with stop_details, and the other new stop reasons", async () => {
    const details = { type: "refusal", category: "cyber", explanation: "This looks like malware development." };
    fake.fault({ kind: "script", content: [], stop_reason: "refusal", stop_details: details });
    const refused = await create(messageBody());
    expect(refused).toMatchObject({ content: [], stop_reason: "refusal", stop_details: details });
    for (const stop_reason of ["model_context_window_exceeded", "compaction"]) {
      fake.fault({ kind: "script", content: [{ type: "compaction", content: "Summary so far." }], stop_reason });
      const events = await stream(messageBody());
      expect(events.find((e) => e.event === "message_delta")?.data.delta).toEqual({ stop_reason, stop_sequence: null, stop_details: null });
    }
  });

  test("SSE: unknown blocks arrive whole in content_block_start, tool calls as JSON deltas, extra events where asked", async () => {
    fake.fault({
      kind: "script",
      content: webSearch,
      stop_reason: "end_turn",
      extraEvents: [
        { event: "message_metadata", data: { type: "message_metadata", fallback: { attempts: 2 } } },
        { event: "content_block_annotation", data: { type: "content_block_annotation", index: 0 }, at: 4 },
      ],
    });
    const events = await stream(messageBody());
    expect(events.map((e) => e.event).slice(0, 3)).toEqual(["message_start", "message_metadata", "ping"]);
    // `at` indexes the stream without extra events: before its 5th event, now the 6th (one was spliced in earlier).
    expect(events[5]?.event).toBe("content_block_annotation");
    const fallbackStart = events.find((e) => e.data.content_block?.type === "fallback");
    expect(fallbackStart?.data.content_block as unknown).toEqual(webSearch[2]);
    const serverStart = events.find((e) => e.data.content_block?.type === "server_tool_use");
    expect(serverStart?.data.content_block?.input).toEqual({});
    const reassembled = reassemble(events.filter((e) => !["message_metadata", "content_block_annotation"].includes(e.event)));
    expect(reassembled[0]).toMatchObject({ type: "server_tool_use" });
    expect(reassembled.slice(1) as unknown[]).toEqual(webSearch.slice(1));
  });

  test("the SDK streams a scripted reply (unknown events included) into the same final message", async () => {
    fake.fault({
      kind: "script",
      content: webSearch,
      times: 2,
      extraEvents: [{ event: "message_metadata", data: { type: "message_metadata", note: "new in 2027" } }],
    });
    const client = keySdk();
    const params = { model: MODEL, max_tokens: 200, messages: [{ role: "user" as const, content: "weather?" }] };
    const seen: string[] = [];
    const raw = await client.messages.create({ ...params, stream: true });
    for await (const event of raw) seen.push(event.type);
    expect(seen).toContain("message_metadata");
    const final = await client.messages.stream(params).finalMessage();
    expect(final.content as unknown[]).toEqual(webSearch);
  });
});

describe("several accounts", () => {
  const asAccount = (accessToken: string) => oauthHeaders({ authorization: `Bearer ${accessToken}` });

  test("each account has its own plan, refresh chain, e-mail, usage answer and account-scoped faults", async () => {
    const work = fake.issueTokens({ account: "work" });
    const resetsAt = Math.floor(Date.now() / 1000) + 900;
    fake.setPlan({ status: "rejected", windows: { "5h": { utilization: 1, resetsAt } } }, "work");
    const rejected = await post("/v1/messages", messageBody(), asAccount(work.access_token));
    await expectError(rejected, 429, "rate_limit_error");
    expect(rejected.headers.get("anthropic-ratelimit-unified-5h-utilization")).toBe("1");
    const allowed = await post("/v1/messages", messageBody());
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("anthropic-ratelimit-unified-status")).toBe("allowed");
    expect(fake.requests.map((r) => r.account)).toEqual(["work", "default"]);
    expect(fake.plan.status).toBe("allowed");
    expect(fake.planOf("work").status).toBe("rejected");

    const usage = await fetch(`${fake.url}/api/oauth/usage`, { headers: asAccount(work.access_token) });
    expect(((await usage.json()) as { five_hour: { utilization: number } }).five_hour.utilization).toBe(100);

    const refreshed = await fetch(fake.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "refresh_token", refresh_token: work.refresh_token, client_id: fake.clientId }),
    });
    const next = (await refreshed.json()) as { access_token: string; account: { email_address: string } };
    expect(next.account.email_address).toBe(fake.emailOf("work"));
    expect(fake.emailOf("default")).toBe("user@example.com");
    expect((await post("/v1/messages", messageBody(), asAccount(next.access_token))).status).toBe(429);

    fake.fault({ status: 529, account: "work" });
    expect((await post("/v1/messages", messageBody())).status).toBe(200);
    fake.setPlan({ status: "allowed" }, "work");
    expect((await post("/v1/messages", messageBody(), asAccount(next.access_token))).status).toBe(529);
  });
});

describe("extra usage (overage)", () => {
  test("a rejected plan with overage allowed is answered (billed as extra usage) and the headers say so", async () => {
    const resetsAt = Math.floor(Date.now() / 1000) + 600;
    fake.setPlan({
      status: "rejected",
      windows: { "5h": { utilization: 1, resetsAt } },
      overage: { status: "allowed", resetsAt: resetsAt + 86400 },
    });
    const res = await post("/v1/messages", messageBody());
    expect(res.status).toBe(200);
    expect(res.headers.get("anthropic-ratelimit-unified-status")).toBe("rejected");
    expect(res.headers.get("anthropic-ratelimit-unified-overage-status")).toBe("allowed");
    expect(res.headers.get("anthropic-ratelimit-unified-overage-reset")).toBe(String(resetsAt + 86400));
    fake.setPlan({ overage: { status: "rejected", disabledReason: "out_of_credits" } });
    const refused = await post("/v1/messages", messageBody());
    expect(refused.status).toBe(429);
    expect(refused.headers.get("anthropic-ratelimit-unified-overage-disabled-reason")).toBe("out_of_credits");
  });
});

describe("a model's own weekly window", () => {
  test("the 7-day Opus limit refuses Opus and lets the other models through, their headers saying allowed", async () => {
    const opus = DEFAULT_MODELS.find((id) => id.includes("opus"));
    const other = DEFAULT_MODELS.find((id) => !id.includes("opus") && !id.includes("haiku"));
    if (!opus || !other) throw new Error("the catalogue needs an Opus and another model");
    fake.setPlan({ status: "rejected", representativeClaim: "seven_day_opus", windows: { "7d_opus": { utilization: 1 } } });
    const refused = await post("/v1/messages", messageBody({ model: opus }));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("anthropic-ratelimit-unified-representative-claim")).toBe("seven_day_opus");
    const served = await post("/v1/messages", messageBody({ model: other }));
    expect(served.status).toBe(200);
    expect(served.headers.get("anthropic-ratelimit-unified-status")).toBe("allowed");
  });
});
