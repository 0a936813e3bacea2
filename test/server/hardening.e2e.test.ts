import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { freePort } from "../support/binary.ts";
import { startProxy, useLoggedInProxy, type TestProxy } from "../support/proxy.ts";
import { eventually } from "../support/eventually.ts";

const env = useLoggedInProxy();
let client: Anthropic;
beforeAll(() => {
  client = new Anthropic({ apiKey: "dummy", baseURL: env.proxy.url, maxRetries: 0 });
});

type RequestBody = string | Uint8Array | null;

const hello = { model: "l", max_tokens: 32, messages: [{ role: "user" as const, content: "Hi" }] };
const post = (
  path: string,
  body: RequestBody | null,
  headers: Record<string, string> = { "content-type": "application/json" },
  method = "POST",
) => fetch(`${env.proxy.url}${path}`, { method, body, headers });

describe("bad input: a clear 4xx in the Anthropic error shape, and the server keeps serving", () => {
  type Case = [
    name: string,
    method: string,
    body: RequestBody,
    headers: Record<string, string> | undefined,
    path: string,
    status: number,
    message: RegExp,
  ];
  const cases: Case[] = [
    [
      "malformed JSON",
      "POST",
      "{nope",
      undefined,
      "/v1/messages",
      400,
      /^the request body is not valid JSON \((?!JSON Parse error)[^)]+\) — send a JSON object/,
    ],
    ["empty body", "POST", "", undefined, "/v1/messages", 400, /empty/],
    ["a JSON array", "POST", "[1,2]", undefined, "/v1/messages", 400, /must be a JSON object/],
    ["a JSON scalar", "POST", "42", undefined, "/v1/messages", 400, /must be a JSON object/],
    [
      "messages not an array",
      "POST",
      '{"model":"l","messages":"hi"}',
      undefined,
      "/v1/messages",
      400,
      /messages must be a list \(got "hi"\)/,
    ],
    ["wrong content-type", "POST", "{}", { "content-type": "text/plain" }, "/v1/messages", 415, /application\/json/],
    [
      "form content-type",
      "POST",
      "a=b",
      { "content-type": "application/x-www-form-urlencoded" },
      "/v1/messages/count_tokens",
      415,
      /application\/json/,
    ],
    ["unknown route", "GET", null, {}, "/v2/nothing", 404, /no route for GET \/v2\/nothing/],
    ["wrong method", "GET", null, {}, "/v1/messages", 405, /GET is not allowed on \/v1\/messages; use POST/],
    ["wrong method on models", "DELETE", null, {}, "/v1/models", 405, /use GET/],
  ];
  test.each(cases)("%s", async (...[, method, body, headers, path, status, message]: Case) => {
    const response = await post(path, body, headers, method);
    expect(response.status).toBe(status);
    const json = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(json.type).toBe("error");
    expect(json.error.message).toMatch(message);
    expect((json as { request_id?: string }).request_id).toStartWith("req_maximize_");
    expect(response.headers.get("request-id")).toBe((json as { request_id?: string }).request_id ?? null);
    expect(json.error.type).toBe(status === 404 ? "not_found_error" : "invalid_request_error");
    expect((await fetch(`${env.proxy.url}/healthz`)).status).toBe(200);
  });

  test("a body over 32 MB with content-length → 413 request_too_large", async () => {
    const response = await post("/v1/messages", new Uint8Array(33 * 1024 * 1024).fill(32));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe("request_too_large");
  });

  test("a chunked body over 32 MB → 413 once the limit is passed, not after buffering it all", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(32);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ >= 200) return controller.close();
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${env.proxy.url}/v1/messages`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(100);
  });
});

describe("upstream faults", () => {
  test("reset mid-stream → the SDK gets an error, never a truncated success", async () => {
    env.fake.fault({ kind: "reset", afterEvents: 4 });
    const error = await client.messages
      .stream(hello)
      .finalMessage()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toContain("failed mid-response");
  });

  test("reset mid-stream → the raw SSE ends with a well-formed event: error", async () => {
    env.fake.fault({ kind: "reset", afterEvents: 3 });
    const text = await (await post("/v1/messages", JSON.stringify({ ...hello, stream: true }))).text();
    const events = text.split("\n\n").filter(Boolean);
    expect(events.at(-1)).toStartWith("event: error\ndata: ");
    for (const event of events) expect(() => JSON.parse(event.split("\ndata: ")[1]!)).not.toThrow();
  });

  test("429, 529 and 500 pass through once each: maximize does not retry them itself", async () => {
    for (const status of [429, 529, 500]) {
      const before = env.fake.requests.length;
      env.fake.fault({ status, headers: status === 429 ? { "retry-after": "9" } : {} });
      const response = await post("/v1/messages", JSON.stringify(hello));
      expect(response.status).toBe(status);
      if (status === 429) expect(response.headers.get("retry-after")).toBe("9");
      expect(env.fake.requests.length - before).toBe(1);
    }
  });

  test("the subscription-policy 400 passes through unchanged and is not retried", async () => {
    const body = {
      type: "error",
      error: { type: "invalid_request_error", message: "Third-party apps now draw from your extra usage, not your plan limits." },
    };
    const before = env.fake.requests.length;
    env.fake.fault({ status: 400, body });
    const response = await post("/v1/messages", JSON.stringify(hello));
    expect(response.status).toBe(400);
    expect(((await response.json()) as typeof body).error.message).toBe(body.error.message);
    expect(env.fake.requests.length - before).toBe(1);
  });

  test("connection refused → 502 api_error naming the upstream", async () => {
    const dead = `http://127.0.0.1:${freePort()}`;
    const other = await startProxy(env.fake, { tokens: env.fake.issueTokens(), env: { MAXIMIZE_UPSTREAM_URL: dead } });
    try {
      const response = await fetch(`${other.url}/v1/messages`, { method: "POST", body: JSON.stringify(hello) });
      expect(response.status).toBe(502);
      const json = (await response.json()) as { error: { type: string; message: string } };
      expect(json.error.type).toBe("api_error");
      expect(json.error.message).toContain(dead);
      expect(json.error.message).toContain(`connection refused by ${dead.replace("http://", "")}`);
      expect(json.error.message).not.toContain("Is the computer able to access the url");
    } finally {
      await other.stop();
    }
  });

  test("a stalled stream is closed after api.stream_idle_timeout with a timeout_error event", async () => {
    const other = await startProxy(env.fake, { tokens: env.fake.issueTokens(), edit: (c) => (c.api.stream_idle_timeout = 0.3) });
    try {
      env.fake.fault({ kind: "drip", delayMs: 2000 });
      const text = await (
        await fetch(`${other.url}/v1/messages`, { method: "POST", body: JSON.stringify({ ...hello, stream: true }) })
      ).text();
      expect(text).toContain("event: error");
      expect(text).toContain("timeout_error");
    } finally {
      await other.stop();
    }
  });

  test("no answer at all within api.request_timeout → 504 timeout_error", async () => {
    const other = await startProxy(env.fake, { tokens: env.fake.issueTokens(), edit: (c) => (c.api.request_timeout = 0.3) });
    try {
      env.fake.fault({ kind: "hang" });
      const response = await fetch(`${other.url}/v1/messages`, { method: "POST", body: JSON.stringify(hello) });
      expect(response.status).toBe(504);
      expect(((await response.json()) as { error: { type: string } }).error.type).toBe("timeout_error");
    } finally {
      await other.stop();
    }
  });
});

describe("client aborts", () => {
  test("200 streams aborted mid-way: the upstream sees every one closed within a second", async () => {
    const aborted = Array.from({ length: 200 }, async () => {
      const controller = new AbortController();
      // Paced so slowly that the upstream would keep each stream open for many seconds on its own.
      env.fake.fault({ kind: "drip", delayMs: 1500 });
      const response = await fetch(`${env.proxy.url}/v1/messages`, {
        method: "POST",
        body: JSON.stringify({ ...hello, stream: true }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
    });
    await Promise.all(aborted);
    await eventually(() => expect(env.fake.activeStreams).toBe(0), 1000);
  });
});

describe("proxy API keys", () => {
  let locked: TestProxy;
  beforeAll(async () => {
    locked = await startProxy(env.fake, { tokens: env.fake.issueTokens(), env: { MAXIMIZE_API_KEYS: "first-key-123,second-key-456" } });
  });
  afterAll(() => locked.stop());

  test.each([
    ["x-api-key (Anthropic SDK)", { "x-api-key": "second-key-456" }, 200],
    ["Authorization: Bearer (OpenAI SDK)", { authorization: "Bearer first-key-123" }, 200],
    ["missing", {}, 401],
    ["wrong", { "x-api-key": "first-key-124" }, 401],
    ["prefix of a key", { "x-api-key": "first-key" }, 401],
  ])("%s → %d", async (_name, headers, status) => {
    const response = await fetch(`${locked.url}/v1/messages`, { method: "POST", body: JSON.stringify(hello), headers });
    expect(response.status).toBe(status);
    if (status === 401) expect(((await response.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
    else expect(env.fake.requests.at(-1)!.headers["x-api-key"]).toBeUndefined();
  });

  test("the official SDK with the right key works; its key never goes upstream", async () => {
    const keyed = new Anthropic({ apiKey: "first-key-123", baseURL: locked.url, maxRetries: 0 });
    const message = await keyed.messages.create(hello);
    expect(message.type).toBe("message");
    expect(JSON.stringify(env.fake.requests.at(-1)!.headers)).not.toContain("first-key-123");
  });

  test("/healthz stays open; /auth/status, /v1/models and /metrics do not", async () => {
    expect((await fetch(`${locked.url}/healthz`)).status).toBe(200);
    for (const path of ["/auth/status", "/v1/models", "/metrics"]) expect((await fetch(`${locked.url}${path}`)).status).toBe(401);
  });

  test("the OpenAI route answers a missing key in OpenAI's error shape", async () => {
    const response = await fetch(`${locked.url}/v1/chat/completions`, { method: "POST", body: "{}" });
    expect(response.status).toBe(401);
    const json = (await response.json()) as { error: { message: string; type: string } };
    expect(json.error.type).toBe("authentication_error");
    expect(json).not.toHaveProperty("type");
  });

  test("no key ever appears in the logs", async () => {
    // Its own traffic (a good key and a wrong one), so the test checks something when run alone too.
    await fetch(`${locked.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "first-key-123" }, body: JSON.stringify(hello) });
    await fetch(`${locked.url}/v1/messages`, {
      method: "POST",
      headers: { authorization: "Bearer first-key-123-wrong" },
      body: JSON.stringify(hello),
    });
    const all = locked.logs.join("\n");
    expect(all).toContain("POST /v1/messages");
    expect(all).not.toContain("first-key-123");
  });
});

describe("the key guard and the router see the same path", () => {
  /** A raw HTTP/1.1 request, so the Host header and request target are exactly what an attacker would send. */
  async function raw(port: number, lines: string[]): Promise<string> {
    const { promise, resolve } = Promise.withResolvers<string>();
    let text = "";
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data: (_s, chunk) => {
          text += chunk.toString();
        },
        close: () => resolve(text),
        error: () => resolve(text),
      },
    });
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    setTimeout(() => socket.end(), 500);
    return promise;
  }

  test.each([
    ["short Host + open path with a protected path in the query", "POST /healthz?/v1/messages HTTP/1.1", "ab"],
    ["short Host + models in the query", "GET /healthz?x=/v1/models HTTP/1.1", "x"],
    ["dot segments", "GET /healthz/../v1/models HTTP/1.1", "127.0.0.1"],
  ])("%s → refused, never routed", async (_name, requestLine, host) => {
    const locked = await startProxy(env.fake, { tokens: env.fake.issueTokens(), env: { MAXIMIZE_API_KEYS: "first-key-123" } });
    try {
      const before = env.fake.requests.length;
      const port = Number(new URL(locked.url).port);
      const body = JSON.stringify(hello);
      const answer = await raw(port, [
        requestLine,
        `Host: ${host}`,
        "Content-Type: application/json",
        `Content-Length: ${body.length}`,
        "Connection: close",
        "",
        body,
      ]);
      const status = Number(answer.split(" ")[1]);
      expect([400, 401, 404]).toContain(status);
      expect(answer).not.toContain('"data"');
      expect(env.fake.requests.length).toBe(before);
    } finally {
      await locked.stop();
    }
  });
});

describe("web pages are kept out", () => {
  test.each([
    ["a cross-site POST (Origin set)", { origin: "https://evil.example" }],
    ["a no-cors POST without content-type (Origin set)", { origin: "null" }],
  ])("%s → 403 before anything reaches upstream", async (_name, headers) => {
    const before = env.fake.requests.length;
    const response = await fetch(`${env.proxy.url}/v1/messages`, { method: "POST", body: JSON.stringify(hello), headers });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { type: string; message: string } }).error).toMatchObject({
      type: "permission_error",
      message: expect.stringContaining("requests from web pages are refused"),
    });
    expect(env.fake.requests.length).toBe(before);
  });

  test("a DNS-rebinding Host on a loopback-only server → 403; loopback names pass", async () => {
    const port = Number(new URL(env.proxy.url).port);
    const status = async (host: string) => {
      const { promise, resolve } = Promise.withResolvers<string>();
      let text = "";
      const socket = await Bun.connect({
        hostname: "127.0.0.1",
        port,
        socket: {
          data: (_s, chunk) => {
            text += chunk.toString();
          },
          close: () => resolve(text),
          error: () => resolve(text),
        },
      });
      socket.write(`GET /v1/models HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      return Number((await promise).split(" ")[1]);
    };
    expect(await status("attacker.example:8081")).toBe(403);
    expect(await status(`localhost:${port}`)).toBe(200);
    expect(await status(`127.0.0.1:${port}`)).toBe(200);
  });
});
