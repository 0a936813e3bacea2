import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../support/eventually.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startProxy, type TestProxy } from "../support/proxy.ts";

// Issue 16.3: proxy keys with a name and limits; over a limit → 429 with retry-after in each route's error shape.

const ROUTES = [
  ["/v1/messages", { model: "l", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] }],
  ["/v1/chat/completions", { model: "l", messages: [{ role: "user", content: "Hi" }] }],
  ["/v1/responses", { model: "l", input: "Hi" }],
] as const;
/** One key per route, so the routes do not share one bucket. */
const burstKey = (i: number) => ({ key: `burst-key-000${i}`, name: `burst${i}`, requests_per_minute: 2 });
const ONE_AT_A_TIME = { key: "single-key-0002", name: "single", max_concurrent: 1 };
const FREE = { key: "free-key-00003", name: "free" };

let fake: FakeAnthropic;
let proxy: TestProxy;
beforeAll(async () => {
  fake = await startFakeAnthropic();
  proxy = await startProxy(fake, {
    tokens: fake.issueTokens(),
    edit: (config) => {
      config.server.api_keys = [burstKey(0), burstKey(1), burstKey(2), ONE_AT_A_TIME, FREE];
    },
  });
});
afterAll(async () => {
  await proxy?.stop();
  await fake?.close();
});

const post = (path: string, key: string, body: unknown) =>
  fetch(`${proxy.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify(body),
  });

describe("requests per minute", () => {
  test.each(ROUTES.map(([path, body], i) => [path, body, i] as const))(
    "%s: a burst over the limit gets 429 with retry-after, in the route's error shape; other keys carry on",
    async (path, body, i) => {
      const key = burstKey(i);
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (let n = 0; n < 3; n++) {
        const response = await post(path, key.key, body);
        statuses.push(response.status);
        if (response.status === 429) refused = response;
        else await response.text();
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(refused!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const answer = (await refused!.json()) as { type?: string; error: { type?: string; message: string } };
      expect(answer.error.message).toContain(`proxy key "${key.name}" is over its limit of 2 requests per minute`);
      expect(answer.error.type).toBe("rate_limit_error");
      if (path === "/v1/messages") expect(answer.type).toBe("error");
      expect((await post(path, FREE.key, body)).status).toBe(200);
      // Status reads with the same key are not limited.
      expect((await fetch(`${proxy.url}/status.json`, { headers: { "x-api-key": key.key } })).status).toBe(200);
    },
  );
});

describe("concurrent requests", () => {
  test("a stream holds the key's one slot until it ends; the access line names the key, never the key itself", async () => {
    fake.fault({ kind: "drip", delayMs: 100 });
    const stream = await post("/v1/messages", ONE_AT_A_TIME.key, { ...ROUTES[0][1], stream: true });
    expect(stream.status).toBe(200);
    const second = await post("/v1/messages", ONE_AT_A_TIME.key, ROUTES[0][1]);
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("1");
    expect(((await second.json()) as { error: { message: string } }).error.message).toContain(
      'proxy key "single" already has 1 request in flight',
    );
    await stream.text(); // the stream ends: the slot is free
    await eventually(async () => expect((await post("/v1/messages", ONE_AT_A_TIME.key, ROUTES[0][1])).status).toBe(200));
    const lines = proxy.logs.filter((line) => line.includes("key=single"));
    expect(lines.length).toBeGreaterThan(0);
    expect(proxy.logs.join("")).not.toContain(ONE_AT_A_TIME.key);
    const metrics = await (await fetch(`${proxy.url}/metrics`, { headers: { "x-api-key": FREE.key } })).text();
    expect(metrics).toContain('maximize_key_requests_total{key="single",outcome="limited"} 1');
    expect(metrics).toMatch(/maximize_key_requests_total\{key="single",outcome="admitted"\} [2-9]/);
    expect(metrics).not.toContain(ONE_AT_A_TIME.key);
  });
});
