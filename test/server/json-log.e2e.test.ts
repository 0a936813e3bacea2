import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenStore } from "../../src/auth/store.ts";
import { startBinary } from "../support/binary.ts";
import { eventually } from "../support/eventually.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startProxy, type TestProxy } from "../support/proxy.ts";

// Issue 16.4: `server.log_format: "json"` — one JSON object per line, with the request's facts as fields.

let fake: FakeAnthropic;
let proxy: TestProxy;
beforeAll(async () => {
  fake = await startFakeAnthropic();
  proxy = await startProxy(fake, {
    tokens: fake.issueTokens(),
    env: { MAXIMIZE_LOG_FORMAT: "json", MAXIMIZE_API_KEYS: "proxy-key-0123456789" },
  });
});
afterAll(async () => {
  await proxy?.stop();
  await fake?.close();
});

type Entry = Record<string, unknown>;
const entries = (from: number): Entry[] => proxy.logs.slice(from).map((line) => JSON.parse(line) as Entry);
const accessEntry = (from: number, path: string) =>
  eventually(() => {
    const found = entries(from).filter((entry) => entry.kind === "access" && entry.path === path);
    expect(found).toHaveLength(1);
    return found[0]!;
  });

describe("JSON log lines", () => {
  test("every line is one JSON object with time, level and message", () => {
    expect(proxy.logs.length).toBeGreaterThan(0);
    for (const entry of entries(0)) {
      expect(typeof entry.time).toBe("string");
      expect(["debug", "info", "warn", "error"]).toContain(entry.level as string);
      expect(typeof entry.message).toBe("string");
    }
  });

  test("a stream: model asked and used, effort, times, how it ended, tokens", async () => {
    const from = proxy.logs.length;
    const client = new Anthropic({ apiKey: "proxy-key-0123456789", baseURL: proxy.url, maxRetries: 0 });
    await client.messages.stream({ model: "xl", max_tokens: 32, messages: [{ role: "user", content: "Hi" }] }).finalMessage();
    const entry = await accessEntry(from, "/v1/messages");
    expect(entry).toMatchObject({
      level: "info",
      method: "POST",
      status: 200,
      model_asked: "xl",
      model: "claude-opus-5-5",
      stream: "complete",
    });
    expect(entry.total_ms as number).toBeGreaterThanOrEqual(entry.headers_ms as number);
    expect(entry.request_id).toMatch(/^req_/);
    expect(entry.input_tokens as number).toBeGreaterThan(0);
    expect(entry.output_tokens as number).toBeGreaterThan(0);
    expect(JSON.stringify(entry)).not.toContain("proxy-key-0123456789");
  });

  test("an Anthropic refusal on the OpenAI route: warn, with the error type and upstream status", async () => {
    fake.fault({ status: 429, times: 1 });
    const from = proxy.logs.length;
    const client = new OpenAI({ apiKey: "proxy-key-0123456789", baseURL: `${proxy.url}/v1`, maxRetries: 0 });
    const status = await client.chat.completions.create({ model: "s", messages: [{ role: "user", content: "Hi" }] }).then(
      () => 200,
      (error: { status?: number }) => error.status,
    );
    expect(status).toBe(429);
    const entry = await accessEntry(from, "/v1/chat/completions");
    expect(entry).toMatchObject({ level: "warn", status: 429, upstream_status: 429, error_type: "rate_limit_error", model_asked: "s" });
  });
});

test("the compiled binary: MAXIMIZE_LOG_FORMAT=json makes every stderr line JSON", async () => {
  const home = mkdtempSync(join(tmpdir(), "maximize-json-log-"));
  const tokenFile = join(home, "tokens.json");
  createTokenStore(tokenFile).write(fake.issueTokens());
  const server = await startBinary({
    upstreamUrl: fake.url,
    tokenUrl: fake.tokenUrl,
    tokenFile,
    home,
    env: { MAXIMIZE_LOG_FORMAT: "json" },
  });
  await fetch(`${server.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "l", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] }),
  });
  server.child.kill("SIGTERM");
  expect(await server.child.exited).toBe(0);
  const lines = (await new Response(server.child.stderr).text()).trim().split("\n");
  const parsed = lines.map((line) => JSON.parse(line) as Entry);
  expect(parsed.some((entry) => entry.kind === "access" && entry.model_asked === "l" && entry.status === 200)).toBe(true);
  expect(parsed.some((entry) => String(entry.message).includes("listening on"))).toBe(true);
});
