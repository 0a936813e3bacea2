import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startProxy, type TestProxy } from "../support/proxy.ts";

const KEY = "sk-ant-api03-maximize-test-key-0123456789";
let fake: FakeAnthropic;
let proxy: TestProxy;

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKeys: [KEY] });
  proxy = await startProxy(fake, { env: { MAXIMIZE_ANTHROPIC_API_KEY: KEY } });
});
afterAll(async () => {
  await proxy.stop();
  await fake.close();
});

describe("with an Anthropic API key instead of a subscription login", () => {
  test("requests go out with maximize's key, no OAuth shaping, and never the client's key", async () => {
    const client = new Anthropic({ apiKey: "client-side-key", baseURL: proxy.url, maxRetries: 0 });
    const message = await client.messages.create({
      model: "l",
      max_tokens: 16,
      system: "Be brief.",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(message.model).toBe("claude-sonnet-5-5");
    const sent = fake.requests.at(-1)!;
    expect(sent.headers["x-api-key"]).toBe(KEY);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.headers["anthropic-beta"] ?? "").not.toContain("oauth-2025-04-20");
    expect((sent.body as { system: unknown }).system).toBe("Be brief.");
    expect(fake.refreshCalls).toBe(0);
  });

  test("an upstream 401 is passed on without any refresh attempt", async () => {
    fake.fault({ status: 401 });
    const response = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      body: JSON.stringify({ model: "l", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(response.status).toBe(401);
    expect(fake.tokenRequests).toHaveLength(0);
  });

  test("/auth/status reports the API key method, and the logs never hold the key", async () => {
    expect(await (await fetch(`${proxy.url}/auth/status`)).json()).toMatchObject({ logged_in: true, method: "api_key" });
    expect(proxy.logs.join("")).not.toContain(KEY);
  });
});
