import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { toResponse, type AnthropicAnswer, type AnthropicBlock, type ResponseObject } from "../../../src/openai/responses/response.ts";
import { createInputDecoder, createResponsesStreamTranslator, responseError } from "../../../src/openai/responses/stream.ts";
import type { ResponsesContext, ToolOrigin } from "../../../src/openai/responses/types.ts";
import type { ThinkingBlock } from "../../../src/openai/thinking-cache.ts";
import { ApiError } from "../../../src/shared/errors.ts";

type Event = [name: string, data: unknown];
type Data = Record<string, unknown> & { type: string; sequence_number: number };

const tools = new Map<string, ToolOrigin>([
  ["shell", { name: "shell", kind: "function" }],
  ["multi_agent__spawn", { name: "spawn", namespace: "multi_agent", kind: "function" }],
  ["apply_patch", { name: "apply_patch", kind: "custom" }],
]);

const seal = (blocks: readonly ThinkingBlock[]) =>
  `sealed:${blocks.map((block) => (block.type === "thinking" ? `${block.thinking}/${block.signature}` : block.data)).join("|")}`;

const context = (fields: Partial<ResponsesContext> = {}): ResponsesContext => ({
  id: "resp_S1",
  createdAt: 1_700_000_000,
  model: "claude-opus-5-5",
  tools,
  echo: { instructions: "Be brief.", tool_choice: "auto" },
  ...fields,
});

/** The Anthropic SSE events for a message, as the API streams it (tool input in `chunk`-sized JSON fragments). */
function anthropicEvents(message: AnthropicAnswer, chunk = 5): Event[] {
  const { content = [], stop_reason, stop_details = null, usage = {} } = message;
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
      start({ type: "thinking", thinking: "", signature: "" });
      if (block.thinking) delta({ type: "thinking_delta", thinking: block.thinking });
      delta({ type: "signature_delta", signature: block.signature });
    } else if (block.type === "tool_use" || block.type === "server_tool_use") {
      start({ type: block.type, id: block.id, name: block.name, input: {} });
      const json = JSON.stringify(block.input ?? {});
      if (json !== "{}") {
        delta({ type: "input_json_delta", partial_json: "" });
        for (let at = 0; at < json.length; at += chunk) delta({ type: "input_json_delta", partial_json: json.slice(at, at + chunk) });
      }
    } else {
      start(block);
    }
    events.push(["content_block_stop", { type: "content_block_stop", index }]);
  });
  events.push([
    "message_delta",
    { type: "message_delta", delta: { stop_reason, stop_sequence: null, stop_details }, usage: { output_tokens: usage.output_tokens } },
  ]);
  events.push(["message_stop", { type: "message_stop" }]);
  return events;
}

function run(events: Event[], ctx = context()) {
  const translator = createResponsesStreamTranslator(ctx);
  const lines = [...events.flatMap(([name, data]) => translator.event(name, data)), ...translator.end()];
  return { lines, translator };
}

/** Every chunk is one SSE event whose data names the same type. */
const parse = (lines: string[]): Data[] =>
  lines.map((line) => {
    const match = /^event: ([^\n]+)\ndata: ([^\n]*)\n\n$/.exec(line);
    expect(match).not.toBeNull();
    const data = JSON.parse(match![2]!) as Data;
    expect(data.type).toBe(match![1]!);
    return data;
  });

const types = (lines: string[]) => parse(lines).map((data) => data.type);

const message = (content: AnthropicBlock[], stop_reason = "end_turn", fields: Partial<AnthropicAnswer> = {}): AnthropicAnswer => ({
  id: "msg_01XYZ",
  model: "claude-sonnet-5-5",
  content,
  stop_reason,
  usage: { input_tokens: 20, output_tokens: 7, cache_read_input_tokens: 30, cache_creation_input_tokens: 4 },
  ...fields,
});

const text = (value: string): AnthropicBlock => ({ type: "text", text: value });
const thinking = (value: string, signature = "EqQB"): AnthropicBlock => ({ type: "thinking", thinking: value, signature });
const tool = (id: string, name: string, input: unknown): AnthropicBlock => ({ type: "tool_use", id, name, input });
const webSearch = (query: string): AnthropicBlock => ({ type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query } });

describe("event by event", () => {
  test("sequence_number counts every event from 0; response.created and response.in_progress come first", () => {
    const all = parse(run(anthropicEvents(message([thinking("Hmm"), text("Hello there")]))).lines);
    expect(all.map((data) => data.sequence_number)).toEqual(all.map((_, index) => index));
    expect(all[0]).toMatchObject({
      type: "response.created",
      response: {
        id: "resp_S1",
        object: "response",
        status: "in_progress",
        output: [],
        model: "claude-sonnet-5-5",
        instructions: "Be brief.",
      },
    });
    expect(all[1]).toMatchObject({ type: "response.in_progress", response: { status: "in_progress", output: [] } });
    expect(all[0]!.response).not.toHaveProperty("usage");
  });

  test("text: the message item, a content part per text block, deltas, the done events, response.completed", () => {
    expect(parse(run(anthropicEvents(message([text("Hello there"), text("!")]))).lines).slice(2)).toEqual([
      {
        type: "response.output_item.added",
        output_index: 0,
        item: { type: "message", id: "msg_01XYZ_0", role: "assistant", status: "in_progress", content: [] },
        sequence_number: 2,
      },
      {
        type: "response.content_part.added",
        item_id: "msg_01XYZ_0",
        output_index: 0,
        content_index: 0,
        part: { type: "output_text", text: "", annotations: [], logprobs: [] },
        sequence_number: 3,
      },
      ...[
        ["He", 4],
        ["llo there", 5],
      ].map(([delta, sequence_number]) => ({
        type: "response.output_text.delta",
        item_id: "msg_01XYZ_0",
        output_index: 0,
        content_index: 0,
        delta,
        logprobs: [],
        sequence_number,
      })),
      {
        type: "response.output_text.done",
        item_id: "msg_01XYZ_0",
        output_index: 0,
        content_index: 0,
        text: "Hello there",
        logprobs: [],
        sequence_number: 6,
      },
      {
        type: "response.content_part.done",
        item_id: "msg_01XYZ_0",
        output_index: 0,
        content_index: 0,
        part: { type: "output_text", text: "Hello there", annotations: [], logprobs: [] },
        sequence_number: 7,
      },
      expect.objectContaining({ type: "response.content_part.added", content_index: 1 }),
      expect.objectContaining({ type: "response.output_text.delta", content_index: 1, delta: "!" }),
      expect.objectContaining({ type: "response.output_text.done", content_index: 1, text: "!" }),
      expect.objectContaining({ type: "response.content_part.done", content_index: 1 }),
      {
        type: "response.output_item.done",
        output_index: 0,
        item: {
          type: "message",
          id: "msg_01XYZ_0",
          role: "assistant",
          status: "completed",
          content: [
            { type: "output_text", text: "Hello there", annotations: [], logprobs: [] },
            { type: "output_text", text: "!", annotations: [], logprobs: [] },
          ],
        },
        sequence_number: 12,
      },
      expect.objectContaining({ type: "response.completed", sequence_number: 13 }),
    ]);
  });

  test("reasoning: one item for consecutive thinking blocks, a summary part per non-empty thinking; sealed at the item's end", () => {
    const source = message([
      thinking("First."),
      { type: "redacted_thinking", data: "EmwK" },
      thinking(""),
      thinking("Second."),
      text("Ok"),
    ]);
    const all = parse(run(anthropicEvents(source), context({ sealReasoning: seal })).lines);
    expect(all.map(({ type, summary_index }) => (summary_index === undefined ? type : `${type} ${summary_index}`)).slice(2, 14)).toEqual([
      "response.output_item.added",
      "response.reasoning_summary_part.added 0",
      "response.reasoning_summary_text.delta 0",
      "response.reasoning_summary_text.done 0",
      "response.reasoning_summary_part.done 0",
      "response.reasoning_summary_part.added 1",
      "response.reasoning_summary_text.delta 1",
      "response.reasoning_summary_text.done 1",
      "response.reasoning_summary_part.done 1",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(all[2]).toMatchObject({ item: { type: "reasoning", id: "rs_01XYZ_0", summary: [] } });
    expect(all[2]!.item).not.toHaveProperty("encrypted_content");
    expect(all[4]).toMatchObject({ item_id: "rs_01XYZ_0", output_index: 0, summary_index: 0, delta: "First." });
    expect(all[6]).toMatchObject({ summary_index: 0, part: { type: "summary_text", text: "First." } });
    expect(all[11]).toEqual({
      type: "response.output_item.done",
      output_index: 0,
      item: {
        type: "reasoning",
        id: "rs_01XYZ_0",
        summary: [
          { type: "summary_text", text: "First." },
          { type: "summary_text", text: "Second." },
        ],
        // the signatures arrived as signature_delta: sealed whole
        encrypted_content: "sealed:First./EqQB|EmwK|/EqQB|Second./EqQB",
      },
      sequence_number: 11,
    });
  });

  test("function calls: the item with empty arguments, the partial JSON as it comes, then the whole arguments", () => {
    const source = message([tool("toolu_A", "multi_agent__spawn", { task: "write tests" }), tool("toolu_B", "shell", {})], "tool_use");
    const all = parse(run(anthropicEvents(source)).lines).slice(2, -1);
    expect(all.map((data) => data.type)).toEqual([
      "response.output_item.added",
      ...Array(5).fill("response.function_call_arguments.delta"),
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.done",
      "response.output_item.done",
    ]);
    expect(all[0]).toMatchObject({
      output_index: 0,
      item: {
        type: "function_call",
        id: "fc_01XYZ_0",
        call_id: "toolu_A",
        name: "spawn",
        namespace: "multi_agent",
        arguments: "",
        status: "in_progress",
      },
    });
    expect(all[1]).toMatchObject({ item_id: "fc_01XYZ_0", output_index: 0, delta: '{"tas' });
    expect(all[6]).toMatchObject({ item_id: "fc_01XYZ_0", output_index: 0, name: "spawn", arguments: '{"task":"write tests"}' });
    expect(all[7]).toMatchObject({ item: { arguments: '{"task":"write tests"}', status: "completed" } });
    // no input_json_delta at all: "{}" so that clients can JSON.parse the arguments
    expect(all[9]).toMatchObject({ item_id: "fc_01XYZ_1", output_index: 1, name: "shell", arguments: "{}" });
  });

  test("custom tools: the input string streams as its JSON arrives and adds up to the input of .done", () => {
    const patch = '*** Begin Patch\n*** Update File: a.ts\n-const a = "x";\n+const a = "\\u00e9 é 😀\\t";\n*** End Patch\n';
    const source = message([tool("toolu_P", "apply_patch", { input: patch })], "tool_use");
    const all = parse(run(anthropicEvents(source, 1)).lines).slice(2, -1);
    expect(all[0]).toMatchObject({
      item: { type: "custom_tool_call", id: "ctc_01XYZ_0", call_id: "toolu_P", name: "apply_patch", input: "" },
    });
    const deltas = all.filter((data) => data.type === "response.custom_tool_call_input.delta");
    expect(deltas.length).toBeGreaterThan(10);
    expect(deltas.map((data) => data.delta).join("")).toBe(patch);
    expect(all.at(-2)).toMatchObject({
      type: "response.custom_tool_call_input.done",
      item_id: "ctc_01XYZ_0",
      output_index: 0,
      input: patch,
    });
    expect(all.at(-1)).toMatchObject({ type: "response.output_item.done", item: { type: "custom_tool_call", input: patch } });
  });

  test("custom tools: input of another shape is sent whole at the block's end", () => {
    const source = message([tool("toolu_P", "apply_patch", { note: "x".repeat(80), input: "the patch" })], "tool_use");
    const all = parse(run(anthropicEvents(source)).lines).filter((data) => data.type.startsWith("response.custom_tool_call_input"));
    expect(all.map(({ type, delta, input }) => [type, delta ?? input])).toEqual([
      ["response.custom_tool_call_input.delta", "the patch"],
      ["response.custom_tool_call_input.done", "the patch"],
    ]);
  });

  test("web search: in_progress, searching, completed, the call with its query; the result block adds nothing", () => {
    const source = message([webSearch("bun 2"), { type: "web_search_tool_result", id: "srvtoolu_1" }, text("Out.")]);
    const all = parse(run(anthropicEvents(source)).lines).slice(2, 8);
    expect(all.map(({ type, item }) => (item ? `${type} ${(item as { status: string }).status}` : type))).toEqual([
      "response.output_item.added in_progress",
      "response.web_search_call.in_progress",
      "response.web_search_call.searching",
      "response.web_search_call.completed",
      "response.output_item.done completed",
      "response.output_item.added in_progress",
    ]);
    expect(all[4]!.item).toEqual({
      type: "web_search_call",
      id: "ws_01XYZ_0",
      status: "completed",
      action: { type: "search", query: "bun 2" },
    });
  });

  test("ping, unknown events and unknown blocks produce nothing, and do not split a message", () => {
    const translator = createResponsesStreamTranslator(context());
    expect(translator.event("ping", { type: "ping" })).toEqual([]);
    expect(translator.event("something_new", { type: "something_new" })).toEqual([]);
    const source = message([text("A"), { type: "mystery_block" }, text("B")]);
    const done = parse(run(anthropicEvents(source)).lines).filter((data) => data.type === "response.output_item.done");
    expect(done).toHaveLength(1);
    expect(done[0]!.item).toMatchObject({ content: [{ text: "A" }, { text: "B" }] });
  });

  test("max_tokens: response.incomplete, the open message incomplete", () => {
    const all = parse(run(anthropicEvents(message([text("Hel")], "max_tokens"))).lines);
    expect(all.at(-2)).toMatchObject({ type: "response.output_item.done", item: { status: "incomplete" } });
    expect(all.at(-1)).toMatchObject({
      type: "response.incomplete",
      response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
    });
  });

  test("refusal: a refusal part closes the message, with Anthropic's explanation", () => {
    const source = message([text("Sure, here")], "refusal", { stop_details: { explanation: "Not this." } });
    const all = parse(run(anthropicEvents(source)).lines);
    expect(all.slice(-6).map(({ type, content_index }) => `${type} ${content_index ?? ""}`.trim())).toEqual([
      "response.content_part.added 1",
      "response.refusal.delta 1",
      "response.refusal.done 1",
      "response.content_part.done 1",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(all.at(-5)).toMatchObject({ type: "response.refusal.delta", item_id: "msg_01XYZ_0", delta: "Not this." });
    expect(all.at(-1)).toMatchObject({ response: { status: "completed" } });
  });

  test("usage: message_start's input counts and message_delta's cumulative output", () => {
    const last = parse(run(anthropicEvents(message([text("Hi")]))).lines).at(-1)!;
    expect(last.response).toMatchObject({
      usage: { input_tokens: 54, input_tokens_details: { cached_tokens: 30, cache_write_tokens: 4 }, output_tokens: 7, total_tokens: 61 },
    });
  });
});

describe("the streamed answer is the non-stream answer", () => {
  const cases: [string, AnthropicAnswer][] = [
    ["text", message([text("Hello there")])],
    ["nothing at all", message([])],
    [
      "thinking, text, tool calls",
      message([thinking("Let me think."), text("Checking."), tool("toolu_A", "shell", { cmd: ["ls"] })], "tool_use"),
    ],
    ["omitted thinking (display: omitted)", message([thinking(""), text("Done.")])],
    ["redacted thinking", message([{ type: "redacted_thinking", data: "EmwK" }, text("Done.")])],
    ["interleaved", message([thinking("a"), tool("toolu_1", "shell", {}), thinking("b"), text("c"), thinking("d"), text("e")], "end_turn")],
    [
      "namespaced and undeclared tools",
      message([tool("toolu_1", "multi_agent__spawn", { task: "t" }), tool("toolu_2", "nope", { a: [1, 2] })], "tool_use"),
    ],
    ["custom tool", message([tool("toolu_P", "apply_patch", { input: '*** Begin Patch\n+"x"\\n\n*** End Patch' })], "tool_use")],
    ["web search", message([webSearch("q"), { type: "web_search_tool_result", id: "srvtoolu_1" }, text("Found."), text(" More.")])],
    ["cut short", message([thinking("t"), text("Hel")], "max_tokens")],
    ["cut short in a tool call", message([text("Ok"), tool("toolu_1", "shell", { cmd: ["l"] })], "max_tokens")],
    ["cut short in thinking", message([text("Ok"), thinking("Hm")], "max_tokens")],
    ["context window", message([text("Hel")], "model_context_window_exceeded")],
    ["refusal after text", message([text("Sure")], "refusal", { stop_details: { explanation: "No." } })],
    ["refusal after a tool call", message([tool("toolu_1", "shell", {})], "refusal")],
    ["refusal alone", message([], "refusal", { stop_details: null })],
    ["pause_turn", message([webSearch("q"), text("Searching")], "pause_turn")],
  ];

  test.each(cases)("%s", (_name, source) => {
    const ctx = context({ sealReasoning: seal });
    const { lines, translator } = run(anthropicEvents(source), ctx);
    const all = parse(lines);
    const whole = toResponse(source, ctx);
    expect(all.at(-1)).toEqual({
      type: whole.status === "incomplete" ? "response.incomplete" : "response.completed",
      response: whole,
      sequence_number: all.length - 1,
    });
    expect(translator.response).toEqual(whole);
    // every item, as output_item.done wrote it, in its place
    const done = all.filter((data) => data.type === "response.output_item.done");
    expect(done.map((data) => data.item)).toEqual(whole.output);
    expect(done.map((data) => data.output_index)).toEqual(whole.output.map((_, index) => index));
    // A whole answer: the pump keeps reading upstream to its end (closed is only for failures).
    expect(translator.closed).toBe(false);
    expect(translator.event("ping", { type: "ping" })).toEqual([]); // nothing after the terminal event
    expect(translator.end()).toEqual([]);
  });
});

describe("createInputDecoder", () => {
  const decodeAll = (json: string, size: number) => {
    const decoder = createInputDecoder();
    let text = "";
    for (let at = 0; at < json.length; at += size) text += decoder.push(json.slice(at, at + size));
    return text;
  };

  test.each<[string, string, string]>([
    ["plain", '{"input":"hello"}', "hello"],
    ["whitespace around the head", ' { "input" : "hi" }', "hi"],
    ["escapes", String.raw`{"input":"a\"b\\c\/d\n\t\r\b\f"}`, 'a"b\\c/d\n\t\r\b\f'],
    ["unicode escapes", String.raw`{"input":"\u00e9\ud83d\ude00x"}`, "é😀x"],
    ["raw non-BMP characters", '{"input":"😀é😀"}', "😀é😀"],
    ["stops at the closing quote", '{"input":"a","other":"b"}', "a"],
    ["input not first: nothing", `{"other":"${"x".repeat(70)}","input":"a"}`, ""],
  ])("%s", (_name, json, expected) => {
    for (const size of [1, 2, 3, 5, 7, 1000]) expect(decodeAll(json, size)).toBe(expected);
  });

  test("never yields half a surrogate pair", () => {
    const decoder = createInputDecoder();
    expect(decoder.push(String.raw`{"input":"a\ud83d`)).toBe("a");
    expect(decoder.push(String.raw`\ude`)).toBe("");
    expect(decoder.push("00")).toBe("😀");
  });
});

describe("errors", () => {
  test("an Anthropic error event → response.failed with the items finished so far, then nothing more", () => {
    const translator = createResponsesStreamTranslator(context());
    const events = anthropicEvents(message([text("Hi"), tool("toolu_1", "shell", {}), text("more")]));
    const upToSecondText = events.slice(
      0,
      events.findIndex(([name, data]) => name === "content_block_start" && (data as { index: number }).index === 2) + 2,
    );
    const before = upToSecondText.flatMap(([name, data]) => translator.event(name, data));
    const lines = translator.event("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    const [failed] = parse(lines);
    expect(failed).toMatchObject({
      type: "response.failed",
      sequence_number: before.length,
      response: {
        id: "resp_S1",
        status: "failed",
        error: { code: "server_is_overloaded", message: "Overloaded" },
        incomplete_details: null,
        output: [
          { type: "message", id: "msg_01XYZ_0" },
          { type: "function_call", id: "fc_01XYZ_1" },
        ],
        usage: { input_tokens: 54 },
      },
    });
    expect(lines).toHaveLength(1);
    expect(translator.closed).toBe(true);
    expect(translator.response).toEqual(failed!.response as ResponseObject);
    expect(translator.event("content_block_delta", { index: 2, delta: { type: "text_delta", text: "x" } })).toEqual([]);
    expect(translator.end()).toEqual([]);
    expect(translator.fail(new Error("again"))).toEqual([]);
  });

  test.each<[string, unknown, Record<string, unknown>]>([
    ["an ApiError", new ApiError(429, "slow down"), { code: "rate_limit_exceeded", message: "slow down" }],
    ["an Error", new Error("socket hang up"), { code: "server_error", message: "socket hang up" }],
    ["a string", "broken", { code: "server_error", message: "broken" }],
    ["nothing useful", undefined, { code: "server_error", message: "the stream failed" }],
    [
      "rate limited",
      { type: "error", error: { type: "rate_limit_error", message: "limit" } },
      { code: "rate_limit_exceeded", message: "limit" },
    ],
    ["overloaded", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, { code: "server_is_overloaded" }],
    ["credits", { type: "error", error: { type: "billing_error", message: "credits" } }, { code: "insufficient_quota" }],
    ["invalid", { type: "error", error: { type: "invalid_request_error", message: "bad" } }, { code: "invalid_prompt" }],
    ["api_error", { type: "error", error: { type: "api_error", message: "Internal" } }, { code: "server_error", message: "Internal" }],
    ["no message", { type: "error", error: { type: "api_error" } }, { message: "the Anthropic API reported an error" }],
  ])("responseError(%s)", (_name, error, expected) => {
    expect(responseError(error)).toMatchObject(expected);
  });

  test("fail before anything: response.created and response.in_progress still come first", () => {
    const translator = createResponsesStreamTranslator(context());
    expect(types(translator.fail(new Error("refused")))).toEqual(["response.created", "response.in_progress", "response.failed"]);
    expect(translator.fail(new Error("again"))).toEqual([]);
  });

  test("a stream that ends without message_stop or a stop_reason fails, never passes for complete", () => {
    const events = anthropicEvents(message([text("Hi")])).filter(([name]) => name !== "message_delta" && name !== "message_stop");
    const all = parse(run(events).lines);
    expect(all.at(-1)).toMatchObject({
      type: "response.failed",
      response: { status: "failed", error: { code: "server_error", message: expect.stringContaining("ended before") } },
    });
    expect(all.filter((data) => ["response.completed", "response.incomplete", "response.failed"].includes(data.type))).toHaveLength(1);
  });

  test("an empty upstream stream still ends with a terminal event", () => {
    expect(types(createResponsesStreamTranslator(context()).end())).toEqual([
      "response.created",
      "response.in_progress",
      "response.failed",
    ]);
  });

  test("a stream with a stop_reason but no message_stop still completes", () => {
    const events = anthropicEvents(message([text("Hi")])).filter(([name]) => name !== "message_stop");
    expect(types(run(events).lines).at(-1)).toBe("response.completed");
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

const withoutParsed = (value: unknown) =>
  JSON.parse(
    JSON.stringify(value, (key, inner) => (key === "parsed" || key === "parsed_arguments" || key === "output_parsed" ? undefined : inner)),
  );

describe("the official SDK's responses.stream() helper accepts the events, and agrees with the non-stream answer", () => {
  test.each<[string, AnthropicAnswer]>([
    ["text", message([text("Hello there"), text(" again")])],
    ["thinking then text", message([thinking("Let me think."), text("Done.")])],
    [
      "text and tool calls of every kind",
      message(
        [
          text("Checking."),
          tool("toolu_A", "shell", { cmd: ["ls"] }),
          tool("toolu_B", "multi_agent__spawn", {}),
          tool("toolu_P", "apply_patch", { input: "*** Begin Patch\n*** End Patch\n" }),
        ],
        "tool_use",
      ),
    ],
    ["web search", message([webSearch("q"), { type: "web_search_tool_result", id: "srvtoolu_1" }, text("Found.")])],
    ["cut short", message([text("Hel")], "max_tokens")],
    ["refusal", message([text("Sure")], "refusal", { stop_details: { explanation: "No." } })],
    ["nothing at all", message([])],
  ])("%s", async (_name, source) => {
    const ctx = context({ sealReasoning: seal });
    const body = run(anthropicEvents(source), ctx).lines.join("");
    const stream = clientAnswering(body).responses.stream({ model: "claude-sonnet-5-5", input: "Hi" });
    const deltas: string[] = [];
    stream.on("response.output_text.delta", (event) => deltas.push(event.delta));
    const streamed = await stream.finalResponse();
    const whole = toResponse(source, ctx);
    expect(withoutParsed(streamed.output)).toEqual(whole.output);
    expect(streamed.output_text).toBe(whole.output_text);
    expect(deltas.join("")).toBe(whole.output_text);
    expect(withoutParsed(streamed)).toEqual(whole);
  });

  test("response.failed reaches the SDK as the failed response with its error", async () => {
    const translator = createResponsesStreamTranslator(context());
    const [start, ping] = anthropicEvents(message([text("Hi")]));
    const body = [
      ...translator.event(...start!),
      ...translator.event(...ping!),
      ...translator.event("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
    ].join("");
    const stream = clientAnswering(body).responses.stream({ model: "claude-sonnet-5-5", input: "Hi" });
    const failed: unknown[] = [];
    stream.on("response.failed", (event) => failed.push(event.response.error));
    const final = await stream.finalResponse();
    expect(final.status).toBe("failed");
    expect(failed).toEqual([{ code: "server_is_overloaded", message: "Overloaded" }] as never);
  });
});
