import { describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import {
  REFUSAL_FALLBACK,
  responseStatus,
  responseUsage,
  toResponse,
  type AnthropicAnswer,
  type AnthropicBlock,
  type OutputItem,
  type OutputText,
  type ResponseUsage,
} from "../../../src/openai/responses/response.ts";
import type { ResponsesContext, ToolOrigin } from "../../../src/openai/responses/types.ts";
import type { ThinkingBlock } from "../../../src/openai/thinking-cache.ts";

const tools = new Map<string, ToolOrigin>([
  ["shell", { name: "shell", kind: "function" }],
  ["multi_agent__spawn", { name: "spawn", namespace: "multi_agent", kind: "function" }],
  ["apply_patch", { name: "apply_patch", kind: "custom" }],
]);

const context = (fields: Partial<ResponsesContext> = {}): ResponsesContext => ({
  id: "resp_R1",
  createdAt: 1_700_000_000,
  model: "claude-opus-5-5",
  tools,
  echo: {},
  ...fields,
});

/** A readable stand-in for the route's sealing: what was sealed is visible in the test. */
const seal = (blocks: readonly ThinkingBlock[]) =>
  `sealed:${blocks.map((block) => (block.type === "thinking" ? block.thinking : block.data)).join("|")}`;

const message = (content: AnthropicBlock[], fields: Partial<AnthropicAnswer> = {}): AnthropicAnswer => ({
  id: "msg_01ABC",
  model: "claude-sonnet-5-5",
  content,
  stop_reason: "end_turn",
  usage: { input_tokens: 10, output_tokens: 5 },
  ...fields,
});

const text = (value: string): AnthropicBlock => ({ type: "text", text: value });
const thinking = (value: string, signature = "sig"): AnthropicBlock => ({ type: "thinking", thinking: value, signature });
const tool = (id: string, name: string, input: unknown): AnthropicBlock => ({ type: "tool_use", id, name, input });
const outputText = (value: string): OutputText => ({ type: "output_text", text: value, annotations: [], logprobs: [] });

describe("responseStatus", () => {
  test.each<[string | null | undefined, string, unknown]>([
    ["end_turn", "completed", null],
    ["stop_sequence", "completed", null],
    ["tool_use", "completed", null],
    ["pause_turn", "completed", null],
    ["refusal", "completed", null],
    ["max_tokens", "incomplete", { reason: "max_output_tokens" }],
    ["model_context_window_exceeded", "incomplete", { reason: "max_output_tokens" }],
    ["something_new", "completed", null],
    [null, "completed", null],
    [undefined, "completed", null],
  ])("%p → %s", (stopReason, status, details) => {
    expect(responseStatus(stopReason)).toEqual({ status: status as never, incomplete_details: details as never });
  });
});

describe("responseUsage", () => {
  test.each<[string, AnthropicAnswer["usage"], ResponseUsage]>([
    [
      "plain",
      { input_tokens: 10, output_tokens: 5 },
      {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 15,
      },
    ],
    [
      "cache reads and writes are input tokens; reads are cached_tokens, writes cache_write_tokens",
      { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 50 },
      {
        input_tokens: 160,
        input_tokens_details: { cached_tokens: 100, cache_write_tokens: 50 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 165,
      },
    ],
    [
      "thinking tokens are reasoning_tokens",
      { input_tokens: 10, output_tokens: 50, output_tokens_details: { thinking_tokens: 40 } },
      {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: 50,
        output_tokens_details: { reasoning_tokens: 40 },
        total_tokens: 60,
      },
    ],
    [
      "nulls are zeros",
      { input_tokens: 3, output_tokens: 1, cache_read_input_tokens: null, cache_creation_input_tokens: null },
      {
        input_tokens: 3,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: 1,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 4,
      },
    ],
    [
      "absent",
      undefined,
      {
        input_tokens: 0,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: 0,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 0,
      },
    ],
  ])("%s", (_name, usage, expected) => {
    const openai: OpenAI.Responses.ResponseUsage = responseUsage(usage);
    expect(openai).toEqual(expected);
  });
});

describe("toResponse: the envelope", () => {
  test("id and created_at from the context, the model that answered, OpenAI's defaults for fields the request left out", () => {
    expect(toResponse(message([text("Hello")]), context())).toEqual({
      id: "resp_R1",
      object: "response",
      created_at: 1_700_000_000,
      status: "completed",
      error: null,
      incomplete_details: null,
      model: "claude-sonnet-5-5",
      output: [{ type: "message", id: "msg_01ABC_0", role: "assistant", status: "completed", content: [outputText("Hello")] }],
      output_text: "Hello",
      usage: {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 15,
      },
      instructions: null,
      max_output_tokens: null,
      metadata: {},
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      store: true,
      temperature: null,
      text: { format: { type: "text" } },
      tool_choice: "auto",
      tools: [],
      top_p: null,
      truncation: "disabled",
    });
  });

  test("echoed request fields are copied whole, over the defaults", () => {
    const echo = {
      instructions: "Be brief.",
      tools: [{ type: "function", name: "shell", parameters: {} }],
      tool_choice: "required",
      parallel_tool_calls: false,
      metadata: { run: "7" },
      temperature: 0.2,
      top_p: 0.9,
      store: false,
      reasoning: { effort: "high", summary: "auto" },
      user: "u-1",
    };
    expect(toResponse(message([text("Hi")]), context({ echo }))).toMatchObject(echo);
  });

  test("the echo cannot replace what the answer decides", () => {
    const echo = { id: "resp_other", status: "failed", model: "gpt-5", output: [], usage: null, object: "list" };
    expect(toResponse(message([text("Hi")]), context({ echo }))).toMatchObject({
      id: "resp_R1",
      object: "response",
      status: "completed",
      model: "claude-sonnet-5-5",
      output: [expect.objectContaining({ type: "message" })],
      usage: expect.objectContaining({ total_tokens: 15 }),
    });
  });

  test("an answer that names no model is named after the model the request went to", () => {
    expect(toResponse(message([], { model: undefined }), context()).model).toBe("claude-opus-5-5");
  });

  test("item ids: OpenAI's prefixes, the message id, the output index; without a message id, the response id", () => {
    const content = [thinking("a"), text("b"), tool("toolu_1", "shell", {}), tool("toolu_2", "apply_patch", { input: "x" })];
    const withMessageId = toResponse(message(content), context()).output.map((item) => item.id);
    expect(withMessageId).toEqual(["rs_01ABC_0", "msg_01ABC_1", "fc_01ABC_2", "ctc_01ABC_3"]);
    const withoutMessageId = toResponse(message(content, { id: undefined }), context()).output.map((item) => item.id);
    expect(withoutMessageId).toEqual(["rs_R1_0", "msg_R1_1", "fc_R1_2", "ctc_R1_3"]);
  });

  test("the items are the openai SDK's output items", () => {
    const content = [thinking("a"), text("b"), tool("toolu_1", "multi_agent__spawn", { task: "t" }), tool("toolu_2", "apply_patch", {})];
    const output: OpenAI.Responses.ResponseOutputItem[] = toResponse(message(content), context({ sealReasoning: seal })).output;
    expect(output).toHaveLength(4);
  });
});

describe("toResponse: blocks → output items", () => {
  test.each<[string, AnthropicBlock[], Partial<ResponsesContext>, OutputItem[]]>([
    [
      "consecutive text blocks: one message, an output_text part per block",
      [text("According to the docs, "), text("it works."), text("")],
      {},
      [
        {
          type: "message",
          id: "msg_01ABC_0",
          role: "assistant",
          status: "completed",
          content: [outputText("According to the docs, "), outputText("it works."), outputText("")],
        },
      ],
    ],
    [
      "consecutive thinking blocks: one reasoning item, a summary per non-empty thinking, no encrypted_content unless asked",
      [thinking("First."), { type: "redacted_thinking", data: "EmwK" }, thinking(""), thinking("Second.")],
      {},
      [
        {
          type: "reasoning",
          id: "rs_01ABC_0",
          summary: [
            { type: "summary_text", text: "First." },
            { type: "summary_text", text: "Second." },
          ],
        },
      ],
    ],
    [
      "sealReasoning: every thinking block of the item, redacted and empty ones included, in order",
      [thinking("First."), { type: "redacted_thinking", data: "EmwK" }, thinking("")],
      { sealReasoning: seal },
      [
        {
          type: "reasoning",
          id: "rs_01ABC_0",
          summary: [{ type: "summary_text", text: "First." }],
          encrypted_content: "sealed:First.|EmwK|",
        },
      ],
    ],
    [
      "order is kept: text, thinking, text → message, reasoning, message",
      [text("A"), thinking("B"), text("C")],
      {},
      [
        { type: "message", id: "msg_01ABC_0", role: "assistant", status: "completed", content: [outputText("A")] },
        { type: "reasoning", id: "rs_01ABC_1", summary: [{ type: "summary_text", text: "B" }] },
        { type: "message", id: "msg_01ABC_2", role: "assistant", status: "completed", content: [outputText("C")] },
      ],
    ],
    [
      "function tools: the client's name and namespace, the call id, the input as JSON arguments",
      [tool("toolu_A", "shell", { cmd: ["ls", "-la"] }), tool("toolu_B", "multi_agent__spawn", { task: "t" })],
      {},
      [
        {
          type: "function_call",
          id: "fc_01ABC_0",
          call_id: "toolu_A",
          name: "shell",
          arguments: '{"cmd":["ls","-la"]}',
          status: "completed",
        },
        {
          type: "function_call",
          id: "fc_01ABC_1",
          call_id: "toolu_B",
          name: "spawn",
          namespace: "multi_agent",
          arguments: '{"task":"t"}',
          status: "completed",
        },
      ],
    ],
    [
      "a tool the client never declared is a function of that name; no input is {}",
      [tool("toolu_C", "mystery", undefined)],
      {},
      [{ type: "function_call", id: "fc_01ABC_0", call_id: "toolu_C", name: "mystery", arguments: "{}", status: "completed" }],
    ],
    [
      "custom tools: the free-form input string",
      [tool("toolu_P", "apply_patch", { input: '*** Begin Patch\n*** Add File: a.txt\n+"hi"\n*** End Patch' })],
      {},
      [
        {
          type: "custom_tool_call",
          id: "ctc_01ABC_0",
          call_id: "toolu_P",
          name: "apply_patch",
          input: '*** Begin Patch\n*** Add File: a.txt\n+"hi"\n*** End Patch',
        },
      ],
    ],
    [
      "custom tools: no input is an empty string",
      [tool("toolu_P", "apply_patch", {})],
      {},
      [{ type: "custom_tool_call", id: "ctc_01ABC_0", call_id: "toolu_P", name: "apply_patch", input: "" }],
    ],
    [
      "web search: the server tool call is a web_search_call with its query; its result block is not an item",
      [
        { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "bun release" } },
        { type: "web_search_tool_result", id: "srvtoolu_1", input: undefined },
        text("Bun 2 is out."),
      ],
      {},
      [
        { type: "web_search_call", id: "ws_01ABC_0", status: "completed", action: { type: "search", query: "bun release" } },
        { type: "message", id: "msg_01ABC_1", role: "assistant", status: "completed", content: [outputText("Bun 2 is out.")] },
      ],
    ],
    [
      "unknown blocks and other server tools are skipped and do not split the message around them",
      [
        text("A"),
        { type: "server_tool_use", id: "srvtoolu_2", name: "code_execution", input: { code: "1" } },
        { type: "compaction" },
        { type: "something_new_in_2027" },
        text("B"),
      ],
      {},
      [{ type: "message", id: "msg_01ABC_0", role: "assistant", status: "completed", content: [outputText("A"), outputText("B")] }],
    ],
  ])("%s", (_name, content, ctx, expected) => {
    expect(toResponse(message(content), context(ctx)).output).toEqual(expected);
  });

  test("output_text joins every output_text part of every message", () => {
    const response = toResponse(message([text("A"), text("B"), tool("toolu_1", "shell", {}), text("C")]), context());
    expect(response.output_text).toBe("ABC");
  });

  test("content that is not what the API documents is skipped, never a crash", () => {
    const odd = {
      id: "msg_x",
      content: [null, 3, { type: "text", text: 7 }, { type: "thinking" }, text("ok")],
    } as unknown as AnthropicAnswer;
    expect(toResponse(odd, context()).output).toEqual([
      { type: "message", id: "msg_x_0", role: "assistant", status: "completed", content: [outputText("")] },
      { type: "reasoning", id: "rs_x_1", summary: [] },
      { type: "message", id: "msg_x_2", role: "assistant", status: "completed", content: [outputText("ok")] },
    ]);
    expect(toResponse({ content: "nope" } as unknown as AnthropicAnswer, context()).output).toEqual([]);
  });
});

describe("toResponse: how the answer ended", () => {
  test("max_tokens: incomplete, max_output_tokens, the message cut short is incomplete", () => {
    const response = toResponse(message([thinking("t"), text("Hel")], { stop_reason: "max_tokens" }), context());
    expect(response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    expect(response.output.map((item) => ("status" in item ? item.status : undefined))).toEqual([undefined, "incomplete"]);
  });

  test("pause_turn: completed", () => {
    expect(toResponse(message([text("Searching…")], { stop_reason: "pause_turn" }), context()).status).toBe("completed");
  });

  test.each<[string, AnthropicBlock[], AnthropicAnswer["stop_details"], OutputItem[]]>([
    [
      "after text: a refusal part in the same message, with Anthropic's explanation",
      [text("Here is how to")],
      { explanation: "This request may enable cyber harm." },
      [
        {
          type: "message",
          id: "msg_01ABC_0",
          role: "assistant",
          status: "completed",
          content: [outputText("Here is how to"), { type: "refusal", refusal: "This request may enable cyber harm." }],
        },
      ],
    ],
    [
      "no explanation: a fixed one",
      [],
      { explanation: null },
      [
        {
          type: "message",
          id: "msg_01ABC_0",
          role: "assistant",
          status: "completed",
          content: [{ type: "refusal", refusal: REFUSAL_FALLBACK }],
        },
      ],
    ],
    [
      "after a tool call: a message of its own",
      [tool("toolu_1", "shell", {})],
      undefined,
      [
        { type: "function_call", id: "fc_01ABC_0", call_id: "toolu_1", name: "shell", arguments: "{}", status: "completed" },
        {
          type: "message",
          id: "msg_01ABC_1",
          role: "assistant",
          status: "completed",
          content: [{ type: "refusal", refusal: REFUSAL_FALLBACK }],
        },
      ],
    ],
  ])("refusal %s", (_name, content, stopDetails, expected) => {
    const response = toResponse(message(content, { stop_reason: "refusal", stop_details: stopDetails }), context());
    expect(response.status).toBe("completed");
    expect(response.output).toEqual(expected);
  });
});
