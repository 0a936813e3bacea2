/**
 * The OpenAI Agents SDK (`@openai/agents`, default settings: the Responses API) through maximize against the fake
 * upstream: an agent with one function tool runs to its final output.
 */
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled, tool } from "@openai/agents";
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { z } from "zod";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startProxy, type TestProxy } from "../support/proxy.ts";

let fake: FakeAnthropic;
let proxy: TestProxy;
beforeAll(async () => {
  fake = await startFakeAnthropic();
  proxy = await startProxy(fake, { tokens: fake.issueTokens() });
  setTracingDisabled(true); // traces would go to OpenAI's servers
  // (The Agents SDK bundles its own copy of the openai package: the same client, another type.)
  setDefaultOpenAIClient(
    new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: "unused", maxRetries: 0 }) as unknown as Parameters<typeof setDefaultOpenAIClient>[0],
  );
});
afterAll(async () => {
  await proxy.stop();
  await fake.close();
});

test("an agent with one function tool: the tool runs, its result goes back, the agent answers", async () => {
  const calls: string[] = [];
  const weather = tool({
    name: "get_weather",
    description: "The weather in a city",
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      calls.push(city);
      return `Sunny in ${city}`;
    },
  });
  const agent = new Agent({ name: "Weather", instructions: "Use the tool.", model: "l", tools: [weather] });
  const before = fake.requests.length;
  const result = await run(agent, "What is the weather in Paris?");
  expect(calls).toEqual(["example"]); // the fake fills string arguments with "example"
  expect(result.finalOutput).toBe("Tool result received: Sunny in example");
  const turns = fake.requests.slice(before).filter((r) => r.path === "/v1/messages");
  expect(turns.length).toBe(2);
  expect(JSON.stringify(turns[0]!.body)).toContain("Use the tool.");
  expect(proxy.logs.some((line) => line.includes("POST /v1/responses") && line.includes(" 200 "))).toBe(true);
});
