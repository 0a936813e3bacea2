import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startProxy, type TestProxy } from "../support/proxy.ts";
import { eventually } from "../support/eventually.ts";

let fake: FakeAnthropic;
let loggedIn: TestProxy;
let loggedOut: TestProxy;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  loggedIn = await startProxy(fake, { tokens: fake.issueTokens() });
  loggedOut = await startProxy(fake);
});
afterAll(async () => {
  await loggedIn.stop();
  await loggedOut.stop();
  await fake.close();
});

const stream = (url: string, path = "/v1/messages") =>
  fetch(`${url}${path}`, {
    method: "POST",
    body: JSON.stringify({ model: "l", max_tokens: 16, stream: true, messages: [{ role: "user", content: "Hi" }] }),
  });

const metric = (text: string, line: string) =>
  text
    .split("\n")
    .find((l) => l.startsWith(line))
    ?.split(" ")
    .at(-1);

describe("/metrics", () => {
  test("counts requests and stream outcomes; the open-stream gauge returns to 0 whatever happened", async () => {
    await (await stream(loggedIn.url)).text();
    await (await stream(loggedIn.url, "/v1/chat/completions")).text();
    expect((await stream(loggedOut.url)).status).toBe(401);
    fake.fault({ kind: "reset", afterEvents: 2 });
    await (await stream(loggedIn.url)).text();
    for (const path of ["/v1/messages", "/v1/chat/completions"]) {
      // The client walks away mid-stream: that is "client_closed", not an upstream failure.
      fake.fault({ kind: "drip", delayMs: 300 });
      const controller = new AbortController();
      const response = await fetch(`${loggedIn.url}${path}`, {
        method: "POST",
        signal: controller.signal,
        body: JSON.stringify({ model: "l", max_tokens: 16, stream: true, messages: [{ role: "user", content: "Hi" }] }),
      });
      await response.body!.getReader().read();
      controller.abort();
    }
    // The aborted streams are counted when the server notices the client left: wait for that, not for a fixed time.
    const text = await eventually(async () => {
      const current = await (await fetch(`${loggedIn.url}/metrics`)).text();
      expect(metric(current, 'maximize_streams_total{outcome="client_closed"}')).toBe("2");
      return current;
    });
    expect(metric(text, 'maximize_requests_total{route="/v1/messages",status="200"}')).toBe("3");
    expect(metric(text, 'maximize_requests_total{route="/v1/chat/completions",status="200"}')).toBe("2");
    expect(metric(text, 'maximize_streams_total{outcome="complete"}')).toBe("2");
    expect(metric(text, 'maximize_streams_total{outcome="upstream_error"}')).toBe("1");
    expect(metric(text, 'maximize_streams_total{outcome="client_closed"}')).toBe("2");
    expect(metric(text, "maximize_open_streams")).toBe("0");
    const out = await (await fetch(`${loggedOut.url}/metrics`)).text();
    expect(metric(out, 'maximize_requests_total{route="/v1/messages",status="401"}')).toBe("1");
    expect(metric(out, "maximize_open_streams")).toBe("0");
  });
});
