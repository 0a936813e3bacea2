import { describe, expect, test } from "bun:test";
import { useLoggedInProxy } from "../support/proxy.ts";

const env = useLoggedInProxy();

/** Small seeded PRNG (mulberry32) so a failing case can be replayed from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

const WEIRD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -1e308,
  0.5,
  "",
  " ",
  "\u0000",
  "💥".repeat(50),
  "x".repeat(10_000),
  [],
  [null],
  [[[[[]]]]],
  {},
  { __proto__: { polluted: true } },
  { constructor: { prototype: {} } },
  { type: "text" },
  { type: "image", source: { type: "base64", media_type: "image/png", data: "!!" } },
  { role: "user" },
  { role: "system", content: "x" },
  { type: "tool_use", id: 1, name: null, input: "x" },
];

const VALID_ANTHROPIC = { model: "l", max_tokens: 32, messages: [{ role: "user", content: "Hi" }] };
const VALID_OPENAI = { model: "l", messages: [{ role: "user", content: "Hi" }] };

function mutate(base: Record<string, unknown>, rng: ReturnType<typeof random>): unknown {
  const body: Record<string, unknown> = structuredClone(base);
  const keys = [
    "model",
    "messages",
    "max_tokens",
    "stream",
    "system",
    "tools",
    "tool_choice",
    "thinking",
    "stop",
    "n",
    "temperature",
    "stream_options",
    "max_completion_tokens",
    "reasoning_effort",
    "__proto__",
    "metadata",
  ];
  const steps = 1 + Math.floor(rng.next() * 4);
  for (let i = 0; i < steps; i++) {
    const key = rng.pick(keys);
    if (rng.next() < 0.3) delete body[key];
    else body[key] = rng.pick(WEIRD_VALUES);
  }
  if (rng.next() < 0.2) return rng.pick(WEIRD_VALUES); // not even an object
  if (rng.next() < 0.2 && Array.isArray(body.messages)) body.messages = [...(body.messages as unknown[]), rng.pick(WEIRD_VALUES)];
  return body;
}

function rawBody(value: unknown, rng: ReturnType<typeof random>): string {
  const text = JSON.stringify(value) ?? "null";
  const roll = rng.next();
  if (roll < 0.08) return text.slice(0, Math.floor(rng.next() * text.length)); // truncated JSON
  if (roll < 0.12) return String.fromCharCode(...Array.from({ length: 64 }, () => Math.floor(rng.next() * 256)));
  return text;
}

function headers(rng: ReturnType<typeof random>): Record<string, string> {
  const h: Record<string, string> = {};
  h["content-type"] =
    rng.next() < 0.75
      ? rng.pick(["application/json", "application/json; charset=utf-8", ""])
      : rng.pick(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]);
  if (!h["content-type"]) delete h["content-type"];
  if (rng.next() < 0.5) h["anthropic-version"] = rng.pick(["2023-06-01", "garbage", "2023-06-01, 2023-06-01", ""]);
  if (rng.next() < 0.5)
    h["anthropic-beta"] = rng.pick(["", ",,,", "oauth-2025-04-20,oauth-2025-04-20", "x".repeat(3000), "files-api-2025-04-14"]);
  if (rng.next() < 0.3) h["x-api-key"] = rng.pick(["", "sk-ant-api03-client", "💥"].filter((v) => /^[\x20-\x7e]*$/.test(v)));
  if (rng.next() < 0.2) h.authorization = rng.pick(["Bearer", "Bearer ", "Basic abc", "Bearer x y z"]);
  return h;
}

describe("fuzz", () => {
  test("400 random and mutated requests to both APIs: no 5xx from maximize, no crash, no hang", async () => {
    const rng = random(20261123);
    const failures: string[] = [];
    for (let i = 0; i < 400; i++) {
      const openai = rng.next() < 0.5;
      const path = openai ? "/v1/chat/completions" : rng.pick(["/v1/messages", "/v1/messages?beta=true", "/v1/messages/count_tokens"]);
      const body = rawBody(mutate(openai ? VALID_OPENAI : VALID_ANTHROPIC, rng), rng);
      const response = await fetch(`${env.proxy.url}${path}`, {
        method: "POST",
        body,
        headers: headers(rng),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      const fromUpstream = response.headers.has("request-id");
      if (response.status >= 500 && !fromUpstream) failures.push(`#${i} ${path} ${response.status}: ${text.slice(0, 200)}`);
      if (response.status >= 400) {
        const json = JSON.parse(text) as { error?: { message?: unknown } };
        if (typeof json.error?.message !== "string")
          failures.push(`#${i} ${path} ${response.status}: error not in API shape: ${text.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await fetch(`${env.proxy.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
