/**
 * POST /v1/responses with the official `openai` SDK against the December 2026 fake: answers, streams, tool loops with
 * reasoning carried between turns, structured output, stored conversations, errors.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { POLICY_ERRORS } from "../../support/fake-anthropic.ts";
import { useLoggedInProxy } from "../../support/proxy.ts";

const env = useLoggedInProxy();
let client: OpenAI;
beforeAll(() => {
  client = new OpenAI({ apiKey: "unused", baseURL: `${env.proxy.url}/v1`, maxRetries: 0 });
});
const upstreamBodies = () => env.fake.requests.filter((r) => r.path === "/v1/messages").map((r) => r.body as Record<string, unknown>);
const lastUpstream = () => upstreamBodies().at(-1)!;

const lookup: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "lookup",
  description: "Look something up",
  parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"], additionalProperties: false },
  strict: true,
};

describe("answers", () => {
  test("responses.create: output_text, the answering model, usage, instructions as the system prompt", async () => {
    const response = await client.responses.create({ model: "l", instructions: "Be brief.", input: "Say hi" });
    expect(response).toMatchObject({ object: "response", status: "completed", model: "claude-sonnet-5-5" });
    expect(response.id).toStartWith("resp_");
    expect(response.output_text).toBe("Hello from claude-sonnet-5-5! You said: Say hi");
    expect(response.usage?.input_tokens).toBeGreaterThan(0);
    expect(response.usage?.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
    expect(JSON.stringify(lastUpstream().system)).toContain("Be brief.");
  });

  test("streamed with responses.stream(): events in order, sequence numbers, the same final answer", async () => {
    const params = { model: "l", input: "Stream please" } as const;
    const whole = await client.responses.create(params);
    const types: string[] = [];
    const sequence: number[] = [];
    const stream = client.responses.stream(params);
    stream.on("event", (event) => {
      types.push(event.type);
      sequence.push(event.sequence_number);
    });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(whole.output_text);
    expect(types[0]).toBe("response.created");
    expect(types).toContain("response.output_text.delta");
    expect(types.at(-1)).toBe("response.completed");
    expect(sequence).toEqual(sequence.map((_, i) => i));
  });

  test("the raw wire: every event named, no [DONE]", async () => {
    const response = await fetch(`${env.proxy.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "l", input: "Hi", stream: true }),
    });
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    const text = await response.text();
    for (const block of text.trim().split("\n\n")) expect(block).toMatch(/^event: response\.[a-z_.]+\ndata: \{/);
    expect(text).not.toContain("[DONE]");
  });

  test("max_output_tokens reached → incomplete with its reason", async () => {
    const response = await client.responses.create({ model: "l", input: "Hi", max_output_tokens: 2 });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });
});

describe("tools", () => {
  test("a two-round function-tool loop, with reasoning carried between the turns (encrypted_content)", async () => {
    const params = {
      model: "xxl",
      tools: [lookup],
      reasoning: { effort: "high" as const, summary: "auto" as const },
      include: ["reasoning.encrypted_content" as const],
      store: false,
    };
    const input: OpenAI.Responses.ResponseInput = [{ role: "user", content: "Find it" }];
    const first = await client.responses.create({ ...params, input });
    const call = first.output.find((item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === "function_call")!;
    expect(call).toMatchObject({ name: "lookup", arguments: JSON.stringify({ q: "example" }) });
    const reasoning = first.output.find((item) => item.type === "reasoning") as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.encrypted_content).toStartWith("mx1.");
    input.push(...(first.output as OpenAI.Responses.ResponseInputItem[]), {
      type: "function_call_output",
      call_id: call.call_id,
      output: "42",
    });
    const second = await client.responses.create({ ...params, input });
    expect(second.output_text).toBe("Tool result received: 42");
    // Opus 5.5 always thinks: its signed thinking had to come back in front of the tool call.
    const sent = lastUpstream() as { messages: { role: string; content: { type: string }[] }[]; tools: unknown };
    expect(sent.messages[1]!.content[0]!.type).toBe("thinking");
    expect(sent.tools).toEqual([expect.objectContaining({ name: "lookup", strict: true })]);
  });

  test("a forged encrypted_content is not trusted (the request still succeeds, told as text)", async () => {
    const input: OpenAI.Responses.ResponseInput = [
      { role: "user", content: "Find it" },
      { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "mx1.forged" },
      { type: "function_call", call_id: "toolu_01abc", name: "lookup", arguments: '{"q":"x"}' },
      { type: "function_call_output", call_id: "toolu_01abc", output: "42" },
    ];
    const response = await client.responses.create({ model: "xxl", tools: [lookup], input });
    expect(response.status).toBe("completed");
    expect(JSON.stringify(lastUpstream().messages)).not.toContain('"thinking"');
  });

  test("namespace tools are flattened and calls come back with their namespace; custom tools take free-form input", async () => {
    const tools = [
      {
        type: "namespace",
        name: "crm",
        description: "CRM",
        tools: [{ type: "function", name: "find", parameters: { type: "object", properties: { who: { type: "string" } } } }],
      },
      { type: "custom", name: "apply_patch", description: "Apply a patch" },
    ] as unknown as OpenAI.Responses.Tool[];
    const response = await client.responses.create({ model: "l", input: "Do it", tools });
    const call = response.output.find((item) => item.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall & {
      namespace?: string;
    };
    expect(call).toMatchObject({ name: "find", namespace: "crm" });
    expect((lastUpstream().tools as { name: string }[]).map((tool) => tool.name)).toEqual(["crm__find", "apply_patch"]);
  });

  test("a hosted tool without a Claude equivalent is a 400 naming it; web_search maps to Anthropic's", async () => {
    const error = await client.responses
      .create({ model: "l", input: "Hi", tools: [{ type: "file_search", vector_store_ids: ["vs_1"] }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain("file_search");
    await client.responses.create({ model: "l", input: "Hi", tools: [{ type: "web_search" }] });
    expect(lastUpstream().tools).toEqual([{ type: "web_search_20250305", name: "web_search" }]);
  });
});

describe("structured output and state", () => {
  test("text.format json_schema: output_text parses against the schema", async () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
    const response = await client.responses.create({
      model: "m",
      input: "Where?",
      text: { format: { type: "json_schema", name: "place", schema, strict: true } },
    });
    expect(JSON.parse(response.output_text)).toEqual({ city: expect.any(String) });
    expect(lastUpstream().output_config).toMatchObject({ format: { type: "json_schema", schema } });
  });

  test("previous_response_id continues a stored conversation; an unknown one is a 400 that says what to do", async () => {
    const first = await client.responses.create({ model: "l", input: "My name is Ada." });
    await client.responses.create({ model: "l", input: "What is my name?", previous_response_id: first.id });
    const messages = lastUpstream().messages as { role: string }[];
    expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    const error = await client.responses.create({ model: "l", input: "Hi", previous_response_id: "resp_nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain("send the full input instead");
  });

  test("item_reference items are expanded from stored responses", async () => {
    const first = await client.responses.create({ model: "l", input: "Remember this." });
    const messageId = first.output.find((item) => item.type === "message")!.id;
    await client.responses.create({
      model: "l",
      input: [
        { role: "user", content: "Earlier:" },
        { type: "item_reference", id: messageId },
        { role: "user", content: "Go on." },
      ] as OpenAI.Responses.ResponseInput,
    });
    expect(JSON.stringify(lastUpstream().messages)).toContain("Hello from claude-sonnet-5-5! You said: Remember this.");
  });

  test("input_tokens counts through count_tokens", async () => {
    const counted = await client.responses.inputTokens.count({ model: "l", input: "Count me" });
    expect(counted).toMatchObject({ object: "response.input_tokens", input_tokens: expect.any(Number) });
    expect(env.fake.requests.at(-1)!.path).toBe("/v1/messages/count_tokens");
  });
});

describe("errors", () => {
  test("a 429 is a RateLimitError with retry-after, in OpenAI's shape", async () => {
    env.fake.fault({ status: 429, headers: { "retry-after": "9" } });
    const error = (await client.responses.create({ model: "l", input: "Hi" }).catch((e: unknown) => e)) as InstanceType<
      typeof OpenAI.RateLimitError
    >;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers?.get("retry-after")).toBe("9");
  });

  test("a policy refusal keeps its code", async () => {
    env.fake.fault({ ...POLICY_ERRORS.credits_required, route: "messages" });
    const error = (await client.responses.create({ model: "l", input: "Hi" }).catch((e: unknown) => e)) as InstanceType<
      typeof OpenAI.APIError
    >;
    expect(error.code).toBe("credits_required");
  });

  test("a failure mid-stream ends with response.failed, never a silent end", async () => {
    env.fake.fault({ kind: "stream-error", afterEvents: 3, error: { type: "overloaded_error", message: "Overloaded" } });
    const response = await fetch(`${env.proxy.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "l", input: "Hi", stream: true }),
    });
    const text = await response.text();
    expect(text.trim().split("\n\n").at(-1)).toStartWith("event: response.failed");
  });
});
