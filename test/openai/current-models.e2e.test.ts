/**
 * Chat Completions on the models of December 2026, with the official `openai` SDK against the fake: effort instead of
 * thinking budgets, structured output, forced tool choice on a model that always thinks, and a tool loop whose
 * signed thinking maximize keeps and puts back.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { thinkingBlock } from "../support/fake-anthropic.ts";
import { startProxy, useLoggedInProxy } from "../support/proxy.ts";

const env = useLoggedInProxy();
let client: OpenAI;
beforeAll(() => {
  client = new OpenAI({ apiKey: "unused", baseURL: `${env.proxy.url}/v1`, maxRetries: 0 });
});
const ask = (content: string): OpenAI.Chat.ChatCompletionMessageParam[] => [{ role: "user", content }];
const upstreamBodies = () => env.fake.requests.filter((r) => r.path === "/v1/messages").map((r) => r.body as Record<string, unknown>);
const lastUpstream = () => upstreamBodies().at(-1)!;

describe("reasoning_effort becomes output_config.effort with adaptive thinking, fitted to each model", () => {
  test.each<[string, OpenAI.ReasoningEffort, Record<string, unknown>]>([
    ["claude-haiku-5-5", "xhigh", { thinking: { type: "adaptive", display: "summarized" }, output_config: { effort: "high" } }],
    ["claude-sonnet-5-5", "xhigh", { thinking: { type: "adaptive", display: "summarized" }, output_config: { effort: "xhigh" } }],
    ["claude-opus-5-5", "xhigh", { thinking: { type: "adaptive", display: "summarized" }, output_config: { effort: "xhigh" } }],
    ["claude-sonnet-5-5", "low", { thinking: { type: "adaptive", display: "summarized" }, output_config: { effort: "low" } }],
    ["claude-sonnet-5-5", "none", { thinking: { type: "disabled" } }],
    ["claude-opus-5-5", "minimal", { output_config: { effort: "low" } }], // always thinks: the lowest effort instead
  ])("%s with %s", async (model, effort, expected) => {
    const completion = await client.chat.completions.create({ model, messages: ask("Think"), reasoning_effort: effort });
    expect(completion.model).toBe(model);
    const sent = lastUpstream();
    expect({ thinking: sent.thinking, output_config: sent.output_config }).toEqual({
      thinking: undefined,
      output_config: undefined,
      ...expected,
    });
    expect(JSON.stringify(sent)).not.toContain("budget_tokens");
  });

  test("the thinking comes back as reasoning_content, its token count as reasoning_tokens", async () => {
    const completion = await client.chat.completions.create({ model: "claude-opus-5-5", messages: ask("Think"), reasoning_effort: "high" });
    const message = completion.choices[0]!.message as OpenAI.Chat.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.reasoning_content?.length).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
  });
});

describe("response_format → structured output", () => {
  const schema = {
    type: "object",
    properties: { city: { type: "string" }, nights: { type: "integer", minimum: 1 } },
    required: ["city", "nights"],
    additionalProperties: false,
  };

  test("json_schema: the content is JSON that fits, whole and streamed; a bound Anthropic refuses is moved, not sent", async () => {
    const response_format = { type: "json_schema" as const, json_schema: { name: "trip", schema, strict: true } };
    const whole = await client.chat.completions.create({ model: "m", messages: ask("Plan a trip"), response_format });
    const format = (lastUpstream().output_config as { format: { schema: { properties: { nights: Record<string, unknown> } } } }).format;
    expect(format.schema.properties.nights).toEqual({ type: "integer", description: "{minimum: 1}" });
    expect(JSON.parse(whole.choices[0]!.message.content!)).toEqual({ city: expect.any(String), nights: expect.any(Number) });
    const streamed = await client.chat.completions
      .stream({ model: "m", messages: ask("Plan a trip"), response_format })
      .finalChatCompletion();
    expect(streamed.choices[0]!.message.content).toBe(whole.choices[0]!.message.content);
  });

  test("chat.completions.parse() gets the parsed object", async () => {
    const parsed = await client.chat.completions.parse({
      model: "l",
      messages: ask("Plan a trip"),
      response_format: { type: "json_schema", json_schema: { name: "trip", schema, strict: true } },
    });
    expect(parsed.choices[0]!.message.parsed as unknown).toEqual({ city: expect.any(String), nights: expect.any(Number) });
  });

  test("json_object: a schema that asks for an object; text: nothing", async () => {
    const json = await client.chat.completions.create({
      model: "l",
      messages: ask("JSON please"),
      response_format: { type: "json_object" },
    });
    expect(lastUpstream().output_config).toEqual({ format: { type: "json_schema", schema: { type: "object" } } });
    expect(typeof JSON.parse(json.choices[0]!.message.content!)).toBe("object");
    await client.chat.completions.create({ model: "l", messages: ask("Hi"), response_format: { type: "text" } });
    expect(lastUpstream().output_config).toBeUndefined();
  });
});

describe("tools on a model that always thinks", () => {
  const lookup: OpenAI.Chat.ChatCompletionFunctionTool = {
    type: "function",
    function: {
      name: "lookup",
      description: "Look something up",
      parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
    },
  };

  test("a forced tool choice becomes auto plus an instruction, and the call still comes", async () => {
    const completion = await client.chat.completions.create({
      model: "xxl",
      messages: ask("Find it"),
      tools: [lookup],
      tool_choice: "required",
    });
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
    const sent = lastUpstream();
    expect(sent.tool_choice).toEqual({ type: "auto" });
    expect(JSON.stringify(sent.system)).toContain("Answer this request by calling one of the tools.");
  });

  /** Turn 1 asks, turn 2 (scripted) calls the tool again with new thinking, turn 3 answers. */
  async function threeTurnLoop(openai: OpenAI, options: { stream: boolean }) {
    const create = async (messages: OpenAI.Chat.ChatCompletionMessageParam[]) =>
      options.stream
        ? await openai.chat.completions.stream({ model: "xxl", messages, tools: [lookup], reasoning_effort: "high" }).finalChatCompletion()
        : await openai.chat.completions.create({ model: "xxl", messages, tools: [lookup], reasoning_effort: "high" });
    const history: OpenAI.Chat.ChatCompletionMessageParam[] = ask("Find it, then check it");
    const first = await create(history);
    const call1 = first.choices[0]!.message.tool_calls![0]!;
    history.push(first.choices[0]!.message, { role: "tool", tool_call_id: call1.id, content: "found: 42" });
    env.fake.fault({
      kind: "script",
      content: [
        thinkingBlock("Now I should check it."),
        { type: "tool_use", id: "toolu_02check", name: "lookup", input: { q: "check 42" } },
      ],
    });
    const second = await create(history);
    const call2 = second.choices[0]!.message.tool_calls![0]!;
    expect(call2.id).toBe("toolu_02check");
    history.push(second.choices[0]!.message, { role: "tool", tool_call_id: call2.id, content: "checked" });
    const third = await create(history);
    return { third, history };
  }

  test.each([false, true])(
    "a three-turn tool loop with reasoning_effort (stream: %p): the signed thinking goes back on turns 2 and 3",
    async (stream) => {
      const before = upstreamBodies().length;
      const { third } = await threeTurnLoop(client, { stream });
      expect(third.choices[0]!.message.content).toBe("Tool result received: checked");
      const [turn2, turn3] = upstreamBodies().slice(before + 1) as { messages: { role: string; content: { type: string }[] }[] }[];
      expect(turn2!.messages[1]!.content[0]!.type).toBe("thinking");
      expect(turn3!.messages[1]!.content[0]!.type).toBe("thinking");
      expect(turn3!.messages[3]!.content[0]).toEqual(thinkingBlock("Now I should check it."));
      const metrics = await (await fetch(`${env.proxy.url}/metrics`)).text();
      expect(metrics).toMatch(/maximize_thinking_lookups_total\{outcome="hit"\} [1-9]/);
      expect(metrics).toMatch(/maximize_thinking_cache_entries [1-9]/);
    },
  );

  test("the same loop on a proxy that never saw the thinking (restart, eviction) still succeeds, told as text", async () => {
    const { history } = await threeTurnLoop(client, { stream: false });
    await using fresh = await startProxy(env.fake, { tokens: env.fake.issueTokens() });
    const other = new OpenAI({ apiKey: "unused", baseURL: `${fresh.url}/v1`, maxRetries: 0 });
    const answer = await other.chat.completions.create({ model: "xxl", messages: history, tools: [lookup], reasoning_effort: "high" });
    expect(answer.choices[0]!.message.role).toBe("assistant"); // answered, not refused
    const sent = lastUpstream() as { messages: { content: { type: string; text?: string }[] }[] };
    expect(sent.messages.at(-1)!.content[0]).toMatchObject({
      type: "text",
      text: expect.stringContaining("[result of tool call toolu_02check]: checked"),
    });
    expect(fresh.logs.some((line) => line.includes("no longer known"))).toBe(true);
  });
});
