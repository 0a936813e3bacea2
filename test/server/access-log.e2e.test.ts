/**
 * The access log as the person running maximize reads it: one line per request, written when the request is really
 * finished, through a real server and the fake upstream with scripted faults.
 */
import { describe, expect, test } from "bun:test";
import { eventually } from "../support/eventually.ts";
import { useLoggedInProxy } from "../support/proxy.ts";

const env = useLoggedInProxy();

const user = [{ role: "user", content: "Hi" }];

const call = (path: string, body: Record<string, unknown>) =>
  fetch(`${env.proxy.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** The one access-log line for `method path` written after `from` (waits for it: a stream's line follows its end). */
async function accessLine(from: number, route: string): Promise<{ level: string; text: string }> {
  return eventually(() => {
    const lines = env.proxy.logs
      .slice(from)
      .map((line) => /^\S+ (\w+)\s+(.*)$/.exec(line.trim()))
      .filter((match) => match?.[2]?.startsWith(`POST ${route} `));
    expect(lines).toHaveLength(1);
    return { level: lines[0]![1]!, text: lines[0]![2]! };
  });
}

/** "12ms" / "1.03s" → ms. */
const ms = (value: string, unit: string) => Number(value) * (unit === "s" ? 1000 : 1);

function times(text: string): { headers: number; total: number } {
  const match = /headers (\d+(?:\.\d+)?)(ms|s) total (\d+(?:\.\d+)?)(ms|s)/.exec(text);
  if (!match) throw new Error(`no headers/total times in: ${text}`);
  return { headers: ms(match[1]!, match[2]!), total: ms(match[3]!, match[4]!) };
}

describe("streams: the line is written when the stream ends, with how it ended", () => {
  test("a slow stream: total time covers the whole stream, not just the headers; the model the nickname resolved to", async () => {
    const delayMs = 150;
    env.fake.fault({ kind: "drip", delayMs });
    const from = env.proxy.logs.length;
    const response = await call("/v1/messages", { model: "l", max_tokens: 32, stream: true, messages: user });
    const events = [...(await response.text()).matchAll(/^event: /gm)].length;
    expect(events).toBeGreaterThan(2);
    const line = await accessLine(from, "/v1/messages");
    expect(line.level).toBe("INFO");
    expect(line.text).toMatch(/^POST \/v1\/messages 200 model=l→claude-sonnet-5-5(@\w+)? headers \S+ total \S+ stream completed$/);
    // The fake waits delayMs between events: the stream cannot have taken less than that many waits.
    const { headers, total } = times(line.text);
    expect(total).toBeGreaterThanOrEqual((events - 1) * delayMs - 5);
    expect(headers).toBeLessThan(total);
  });

  test("an event: error midway (after a 200): WARN, with Anthropic's error type", async () => {
    env.fake.fault({ kind: "stream-error", afterEvents: 3, error: { type: "overloaded_error", message: "Overloaded" } });
    const from = env.proxy.logs.length;
    await (await call("/v1/messages", { model: "l", max_tokens: 32, stream: true, messages: user })).text();
    const line = await accessLine(from, "/v1/messages");
    expect(line.level).toBe("WARN");
    expect(line.text).toContain("POST /v1/messages 200 model=l→claude-sonnet-5-5");
    expect(line.text).toEndWith("stream failed midway: overloaded_error");
  });

  test("a connection cut midway: WARN, said as such", async () => {
    env.fake.fault({ kind: "reset", afterEvents: 3 });
    const from = env.proxy.logs.length;
    await (await call("/v1/messages", { model: "l", max_tokens: 32, stream: true, messages: user })).text();
    const line = await accessLine(from, "/v1/messages");
    expect(line.level).toBe("WARN");
    expect(line.text).toEndWith("stream failed midway: the connection to Anthropic failed");
  });

  test("the client going away: INFO (not a fault), said as such", async () => {
    env.fake.fault({ kind: "drip", delayMs: 200 });
    const from = env.proxy.logs.length;
    const response = await call("/v1/messages", { model: "l", max_tokens: 32, stream: true, messages: user });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    const line = await accessLine(from, "/v1/messages");
    expect(line.level).toBe("INFO");
    expect(line.text).toEndWith("stream abandoned: the client closed the connection");
  });

  test.each([
    ["/v1/chat/completions", { model: "l", max_tokens: 32, stream: true, messages: user }],
    ["/v1/responses", { model: "l", max_output_tokens: 32, stream: true, input: "Hi" }],
  ])("%s: the same line, completed or failed midway", async (path, body) => {
    let from = env.proxy.logs.length;
    await (await call(path, body)).text();
    let line = await accessLine(from, path);
    expect(line.level).toBe("INFO");
    expect(line.text).toMatch(new RegExp(`^POST ${path} 200 model=l→claude-sonnet-5-5(@\\w+)? headers \\S+ total \\S+ stream completed$`));

    env.fake.fault({ kind: "stream-error", afterEvents: 3, error: { type: "overloaded_error", message: "Overloaded" } });
    from = env.proxy.logs.length;
    await (await call(path, body)).text();
    line = await accessLine(from, path);
    expect(line.level).toBe("WARN");
    expect(line.text).toEndWith("stream failed midway: overloaded_error");
  });
});

describe("error answers", () => {
  test.each([
    ["/v1/messages", { model: "l", max_tokens: 8, messages: user }],
    ["/v1/messages", { model: "l", max_tokens: 8, stream: true, messages: user }],
    ["/v1/chat/completions", { model: "l", max_tokens: 8, messages: user }],
    ["/v1/responses", { model: "l", input: "Hi", stream: true }],
  ])("Anthropic's 429 on %s: WARN, with its type, the model and upstream's request-id", async (path, body) => {
    env.fake.fault({ status: 429, headers: { "retry-after": "17" } });
    const from = env.proxy.logs.length;
    expect((await call(path, body)).status).toBe(429);
    const line = await accessLine(from, path);
    expect(line.level).toBe("WARN");
    expect(line.text).toMatch(
      new RegExp(`^POST ${path} 429 rate_limit_error from Anthropic model=l→claude-sonnet-5-5(@\\w+)? \\d+ms request-id=req_\\w+$`),
    );
  });

  test("a client's own mistake (maximize answers 400 before anything is sent): INFO, with the type", async () => {
    const from = env.proxy.logs.length;
    expect((await call("/v1/messages", { model: "l", messages: "not a list" })).status).toBe(400);
    const line = await accessLine(from, "/v1/messages");
    expect(line.level).toBe("INFO");
    expect(line.text).toMatch(/^POST \/v1\/messages 400 invalid_request_error \d+ms$/);
  });

  test("a whole answer that succeeds: INFO, the model, one time", async () => {
    const from = env.proxy.logs.length;
    expect((await call("/v1/messages", { model: "xs", max_tokens: 8, messages: user })).status).toBe(200);
    const line = await accessLine(from, "/v1/messages");
    expect(line.level).toBe("INFO");
    expect(line.text).toMatch(/^POST \/v1\/messages 200 model=xs→claude-haiku-5-5(@\w+)? \d+ms$/);
  });
});
