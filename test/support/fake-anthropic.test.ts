import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  IDENTITY,
  OAUTH_BETA,
  startFakeAnthropic,
  TINY_PNG_BASE64,
  type FakeAnthropic,
} from "./fake-anthropic.ts";

const MODEL = "claude-sonnet-4-20250514";
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
  error: { type: string; message: string };
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
  usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number };
}

interface SseData {
  type: string;
  index?: number;
  content_block?: Block;
  delta?: { type?: string; text?: string; thinking?: string; signature?: string; partial_json?: string; stop_reason?: string; stop_sequence?: string | null };
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

async function expectError(res: Response, status: number, type: string, message?: string | RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get("request-id")).toMatch(/^req_/);
  const body = (await res.json()) as ErrorBody;
  expect(body.type).toBe("error");
  expect(body.error.type).toBe(type);
  expect(body.request_id).toBe(res.headers.get("request-id") ?? "");
  if (typeof message === "string") expect(body.error.message).toBe(message);
  if (message instanceof RegExp) expect(body.error.message).toMatch(message);
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

async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await Bun.sleep(10);
  }
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
    expect(body).toMatchObject({ type: "message", role: "assistant", model: MODEL, stop_reason: "end_turn", stop_sequence: null });
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
    const refusal =
      "This credential is only authorized for use with Claude Code and cannot be used for other API requests.";
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
    const body = (await res.json()) as { data: { id: string; type: string; display_name: string }[]; has_more: boolean; first_id: string; last_id: string };
    expect(body.has_more).toBe(false);
    expect(body.data.map((m) => m.id)).toContain(MODEL);
    expect(body.data.find((m) => m.id === MODEL)?.display_name).toBe("Claude Sonnet 4");
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
    expect(delta?.delta).toEqual({ stop_reason: plain.stop_reason, stop_sequence: plain.stop_sequence });
    expect(delta?.usage).toEqual(plain.usage);
  });

  test("tool_use starts with empty input and its JSON arrives in several fragments", async () => {
    const events = await stream(messageBody({ tools: weatherTools }));
    const start = events.find((e) => e.data.content_block?.type === "tool_use");
    expect(start?.data.content_block?.input).toEqual({});
    const fragments = events
      .filter((e) => e.data.delta?.type === "input_json_delta")
      .map((e) => e.data.delta?.partial_json ?? "");
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
    await waitFor(() => fake.activeStreams === 0);
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
    await waitFor(() => fake.activeStreams === 0);
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
    const exchange = { grant_type: "authorization_code", code, state, client_id: fake.clientId, redirect_uri: fake.redirectUri, code_verifier: verifier };
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
    const res = await tokenPost({ grant_type: "refresh_token", refresh_token: pair.refresh_token, client_id: fake.clientId }, "application/x-www-form-urlencoded");
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
