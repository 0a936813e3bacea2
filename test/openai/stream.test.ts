import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { toChatCompletion, type AnthropicContentBlock, type AnthropicMessage } from "../../src/openai/response.ts";
import { createChatStreamTranslator, type StreamOptions } from "../../src/openai/stream.ts";
import { ApiError } from "../../src/shared/errors.ts";

type Event = [name: string, data: unknown];
type Chunk = {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: { index: number; delta: Record<string, unknown>; finish_reason: string | null; logprobs: null }[];
  usage?: unknown;
  error?: unknown;
};

/** The Anthropic SSE events for a message, as the API streams it (tool input in two JSON fragments). */
function anthropicEvents(message: AnthropicMessage): Event[] {
  const { content = [], stop_reason, usage = {} } = message;
  const events: Event[] = [
    [
      "message_start",
      { type: "message_start", message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } },
    ],
    ["ping", { type: "ping" }],
  ];
  content.forEach((block, index) => {
    const start = (content_block: unknown) => events.push(["content_block_start", { type: "content_block_start", index, content_block }]);
    const delta = (d: unknown) => events.push(["content_block_delta", { type: "content_block_delta", index, delta: d }]);
    if (block.type === "text") {
      start({ type: "text", text: "" });
      const text = block.text ?? "";
      delta({ type: "text_delta", text: text.slice(0, 2) });
      if (text.length > 2) delta({ type: "text_delta", text: text.slice(2) });
    } else if (block.type === "thinking") {
      start({ type: "thinking", thinking: "" });
      delta({ type: "thinking_delta", thinking: block.thinking });
      delta({ type: "signature_delta", signature: "EqQB" });
    } else if (block.type === "tool_use") {
      start({ type: "tool_use", id: block.id, name: block.name, input: {} });
      const json = JSON.stringify(block.input);
      if (json !== "{}") {
        delta({ type: "input_json_delta", partial_json: "" });
        delta({ type: "input_json_delta", partial_json: json.slice(0, 5) });
        delta({ type: "input_json_delta", partial_json: json.slice(5) });
      }
    } else {
      start(block);
    }
    events.push(["content_block_stop", { type: "content_block_stop", index }]);
  });
  events.push([
    "message_delta",
    { type: "message_delta", delta: { stop_reason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } },
  ]);
  events.push(["message_stop", { type: "message_stop" }]);
  return events;
}

function run(events: Event[], options: Partial<StreamOptions> = {}) {
  const translator = createChatStreamTranslator({ model: "l", includeUsage: false, ...options });
  return [...events.flatMap(([name, data]) => translator.event(name, data)), ...translator.end()];
}

const parse = (lines: string[]): (Chunk | "[DONE]")[] =>
  lines.map((line) => {
    expect(line).toMatch(/^data: [^\n]*\n\n$/);
    return line === "data: [DONE]\n\n" ? "[DONE]" : (JSON.parse(line.slice(6)) as Chunk);
  });

const chunks = (lines: string[]) => parse(lines).filter((chunk): chunk is Chunk => chunk !== "[DONE]");
const deltas = (lines: string[]) => chunks(lines).flatMap((chunk) => chunk.choices.map((choice) => choice.delta));

const message = (content: AnthropicContentBlock[], stop_reason = "end_turn"): AnthropicMessage => ({
  id: "msg_01XYZ",
  model: "claude-sonnet-5-5",
  content,
  stop_reason,
  usage: { input_tokens: 20, output_tokens: 7, cache_read_input_tokens: 30, cache_creation_input_tokens: 4 },
});

const text = (value: string): AnthropicContentBlock => ({ type: "text", text: value });
const tool = (id: string, name: string, input: unknown): AnthropicContentBlock => ({ type: "tool_use", id, name, input });

describe("chunk by chunk", () => {
  test("every chunk: chatcmpl- id from the message, one created, the model that answered, object chat.completion.chunk", () => {
    const all = chunks(run(anthropicEvents(message([text("Hello there")]))));
    expect(all.length).toBeGreaterThan(2);
    for (const chunk of all) {
      expect(chunk).toMatchObject({
        id: "chatcmpl-01XYZ",
        object: "chat.completion.chunk",
        created: all[0]!.created,
        model: "claude-sonnet-5-5",
      });
    }
  });

  test("role first, text as content deltas, finish_reason last, then [DONE]", () => {
    const parsed = parse(run(anthropicEvents(message([text("Hello there")]))));
    expect(parsed.map((chunk) => (chunk === "[DONE]" ? chunk : chunk.choices[0]))).toEqual([
      { index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: "He" }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: "llo there" }, logprobs: null, finish_reason: null },
      { index: 0, delta: {}, logprobs: null, finish_reason: "stop" },
      "[DONE]",
    ]);
  });

  test("thinking → reasoning_content; signatures are not sent", () => {
    expect(deltas(run(anthropicEvents(message([{ type: "thinking", thinking: "Hmm" }, text("Yes")]))))).toEqual([
      { role: "assistant", content: "" },
      { reasoning_content: "Hmm" },
      { content: "Ye" },
      { content: "s" },
      {},
    ]);
  });

  test("tool calls: the first fragment names the call, later ones carry only index and arguments; indices count tool calls", () => {
    const lines = run(
      anthropicEvents(message([text("Ok"), tool("toolu_A", "weather", { city: "Paris" }), tool("toolu_B", "time", {})], "tool_use")),
    );
    expect(deltas(lines)).toEqual([
      { role: "assistant", content: "" },
      { content: "Ok" },
      { tool_calls: [{ index: 0, id: "toolu_A", type: "function", function: { name: "weather", arguments: "" } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"cit' } }] },
      { tool_calls: [{ index: 0, function: { arguments: 'y":"Paris"}' } }] },
      { tool_calls: [{ index: 1, id: "toolu_B", type: "function", function: { name: "time", arguments: "" } }] },
      // no input_json_delta at all: "{}" so that strict clients can JSON.parse the arguments
      { tool_calls: [{ index: 1, function: { arguments: "{}" } }] },
      {},
    ]);
    expect(chunks(lines).at(-1)!.choices[0]!.finish_reason).toBe("tool_calls");
  });

  test.each<[string, string, string]>([
    ["end_turn", "stop", "stop"],
    ["stop_sequence", "stop", "stop"],
    ["max_tokens", "length", "length"],
    ["tool_use", "tool_calls", "tool_calls"],
    ["refusal", "content_filter", "content_filter"],
  ])("stop_reason %s → finish_reason %s, the same as the non-stream answer", (stopReason, expected) => {
    const source = message([text("Hi")], stopReason);
    const last = chunks(run(anthropicEvents(source))).at(-1)!;
    expect(last.choices[0]!.finish_reason).toBe(expected);
    expect(toChatCompletion(source, { model: "l" }).choices[0].finish_reason).toBe(expected as never);
  });

  test("include_usage: one more chunk with choices [] and the usage (cache tokens included), then [DONE]", () => {
    const parsed = parse(run(anthropicEvents(message([text("Hi")])), { includeUsage: true }));
    expect(parsed.at(-1)).toBe("[DONE]");
    expect(parsed.at(-2)).toMatchObject({
      id: "chatcmpl-01XYZ",
      choices: [],
      usage: { prompt_tokens: 54, completion_tokens: 7, total_tokens: 61, prompt_tokens_details: { cached_tokens: 30 } },
    });
    expect((parsed.at(-3) as Chunk).choices[0]!.finish_reason).toBe("stop");
  });

  test("without include_usage there is no usage chunk", () => {
    expect(chunks(run(anthropicEvents(message([text("Hi")])))).some((chunk) => "usage" in chunk)).toBe(false);
  });

  test("message_delta usage is cumulative and wins over message_start's", () => {
    const events = anthropicEvents(message([text("Hi")]));
    const usage = parse(run(events, { includeUsage: true })).at(-2) as Chunk;
    expect(usage.usage).toMatchObject({ completion_tokens: 7 });
  });

  test("ping and unknown events produce nothing", () => {
    const translator = createChatStreamTranslator({ model: "l", includeUsage: false });
    expect(translator.event("ping", { type: "ping" })).toEqual([]);
    expect(translator.event("something_new", { type: "something_new" })).toEqual([]);
  });

  test("legacy functions: function_call deltas, only the first call, finish_reason function_call", () => {
    const lines = run(anthropicEvents(message([tool("toolu_A", "weather", { city: "Oslo" }), tool("toolu_B", "time", {})], "tool_use")), {
      legacyFunctions: true,
    });
    expect(deltas(lines)).toEqual([
      { role: "assistant", content: "" },
      { function_call: { name: "weather", arguments: "" } },
      { function_call: { arguments: '{"cit' } },
      { function_call: { arguments: 'y":"Oslo"}' } },
      {},
    ]);
    expect(chunks(lines).at(-1)!.choices[0]!.finish_reason).toBe("function_call");
  });
});

describe("errors", () => {
  test("an Anthropic error event → an OpenAI error chunk, then nothing more", () => {
    const translator = createChatStreamTranslator({ model: "l", includeUsage: true });
    const [start] = anthropicEvents(message([text("Hi")]));
    translator.event(...start!);
    const lines = translator.event("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    expect(parse(lines)).toEqual([
      { error: { message: "Overloaded", type: "server_error", param: null, code: "overloaded_error" } } as never,
    ]);
    expect(translator.event("content_block_start", { index: 0, content_block: { type: "text", text: "x" } })).toEqual([]);
    expect(translator.end()).toEqual([]);
  });

  test.each<[string, unknown, Record<string, unknown>]>([
    ["an ApiError", new ApiError(429, "slow down"), { message: "slow down", type: "rate_limit_error", code: "rate_limit_error" }],
    ["an Error", new Error("socket hang up"), { message: "socket hang up", type: "server_error", code: "api_error" }],
    [
      "Anthropic error data",
      { type: "error", error: { type: "rate_limit_error", message: "limit" } },
      { message: "limit", type: "rate_limit_error" },
    ],
  ])("fail(%s)", (_name, error, expected) => {
    const translator = createChatStreamTranslator({ model: "l", includeUsage: false });
    const [line] = translator.fail(error);
    expect(JSON.parse(line!.slice(6))).toEqual({ error: expect.objectContaining({ param: null, ...expected }) });
    expect(translator.fail(error)).toEqual([]);
  });

  test("a stream that ends without message_stop or error is reported, not passed off as complete", () => {
    const events = anthropicEvents(message([text("Hi")])).filter(([name]) => name !== "message_delta" && name !== "message_stop");
    const parsed = parse(run(events));
    expect(parsed.at(-1)).toMatchObject({ error: { type: "server_error", message: expect.stringContaining("ended before") } });
    expect(parsed).not.toContain("[DONE]");
  });

  test("a stream with a stop_reason but no message_stop still finishes", () => {
    const events = anthropicEvents(message([text("Hi")])).filter(([name]) => name !== "message_stop");
    const parsed = parse(run(events));
    expect(parsed.at(-1)).toBe("[DONE]");
    expect((parsed.at(-2) as Chunk).choices[0]!.finish_reason).toBe("stop");
  });
});

/** An openai client whose every request is answered with `body` as an SSE stream. */
const clientAnswering = (body: string) =>
  new OpenAI({
    apiKey: "test",
    baseURL: "http://openai.invalid/v1",
    maxRetries: 0,
    fetch: async () => new Response(body, { headers: { "content-type": "text/event-stream" } }),
  });

const params = {
  model: "l",
  messages: [{ role: "user" as const, content: "Hi" }],
  tools: [
    { type: "function" as const, function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
    { type: "function" as const, function: { name: "time", parameters: { type: "object", properties: {} } } },
  ],
};

describe("the official SDK's strict stream() helper accepts the chunks, and agrees with the non-stream answer", () => {
  test.each<[string, AnthropicMessage]>([
    ["text", message([text("Hello there")])],
    ["thinking then text", message([{ type: "thinking", thinking: "Let me think." }, text("Done.")])],
    [
      "text and two tool calls",
      message([text("Checking."), tool("toolu_A", "weather", { city: "Paris" }), tool("toolu_B", "time", {})], "tool_use"),
    ],
    ["only a tool call", message([tool("toolu_A", "weather", { city: "Paris" })], "tool_use")],
    ["cut short", message([text("Hel")], "max_tokens")],
    ["nothing at all", message([], "end_turn")],
  ])("%s", async (_name, source) => {
    const stream = clientAnswering(run(anthropicEvents(source), { includeUsage: true }).join("")).chat.completions.stream({
      ...params,
      stream_options: { include_usage: true },
    });
    const argumentsDone: unknown[] = [];
    // what a strict client does with finished arguments
    stream.on("tool_calls.function.arguments.done", (event) => argumentsDone.push(JSON.parse(event.arguments)));
    const streamed = await stream.finalChatCompletion();
    const whole = toChatCompletion(source, { model: "l" });
    expect(streamed).toMatchObject({ id: whole.id, object: "chat.completion", model: "claude-sonnet-5-5", usage: whole.usage });
    // The helper adds what it parsed; the rest must be the non-stream answer exactly.
    const json = JSON.stringify(streamed.choices, (key, value) => (key === "parsed" || key === "parsed_arguments" ? undefined : value));
    expect(JSON.parse(json)).toEqual(whole.choices);
    expect(argumentsDone).toEqual((whole.choices[0].message.tool_calls ?? []).map((call) => JSON.parse(call.function.arguments)));
  });

  test("an error chunk surfaces as the SDK's APIError with the message", async () => {
    const translator = createChatStreamTranslator({ model: "l", includeUsage: false });
    const [start, ping] = anthropicEvents(message([text("Hi")]));
    const body = [
      ...translator.event(...start!),
      ...translator.event(...ping!),
      ...translator.event("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
    ].join("");
    const stream = await clientAnswering(body).chat.completions.create({ ...params, stream: true });
    const error = await (async () => {
      for await (const _chunk of stream);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain("Overloaded");
  });
});
