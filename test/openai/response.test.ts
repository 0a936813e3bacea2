import { describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import {
  chatUsage,
  finishReason,
  toChatCompletion,
  type AnthropicMessage,
  type ChatUsage,
  type FinishReason,
} from "../../src/openai/response.ts";

const message = (fields: Partial<AnthropicMessage>): AnthropicMessage => ({
  id: "msg_01ABC",
  model: "claude-sonnet-5-5",
  content: [{ type: "text", text: "Hello" }],
  stop_reason: "end_turn",
  usage: { input_tokens: 10, output_tokens: 5 },
  ...fields,
});

describe("finishReason", () => {
  test.each<[string | null | undefined, FinishReason]>([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["pause_turn", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    [null, "stop"],
    [undefined, "stop"],
    ["something_new", "stop"],
  ])("%p → %s", (stopReason, expected) => {
    expect(finishReason(stopReason)).toBe(expected);
  });

  test("legacy functions: tool_use → function_call, the rest unchanged", () => {
    expect(finishReason("tool_use", true)).toBe("function_call");
    expect(finishReason("end_turn", true)).toBe("stop");
  });
});

describe("usage", () => {
  test.each<[string, AnthropicMessage["usage"], ChatUsage]>([
    [
      "plain",
      { input_tokens: 10, output_tokens: 5 },
      { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 } },
    ],
    [
      "cache reads and writes count as prompt tokens; reads are cached_tokens",
      { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 50 },
      { prompt_tokens: 160, completion_tokens: 5, total_tokens: 165, prompt_tokens_details: { cached_tokens: 100 } },
    ],
    [
      "thinking tokens are reasoning_tokens",
      { input_tokens: 10, output_tokens: 50, output_tokens_details: { thinking_tokens: 40 } },
      {
        prompt_tokens: 10,
        completion_tokens: 50,
        total_tokens: 60,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 40 },
      },
    ],
    [
      "nulls are zeros",
      { input_tokens: 3, output_tokens: 1, cache_read_input_tokens: null, cache_creation_input_tokens: null },
      { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4, prompt_tokens_details: { cached_tokens: 0 } },
    ],
    ["absent", undefined, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 } }],
  ])("%s", (_name, usage, expected) => {
    const openai: OpenAI.CompletionUsage = chatUsage(usage);
    expect(openai).toEqual(expected);
  });
});

describe("toChatCompletion", () => {
  test("an answer that names no model is named after the model the request went to", () => {
    expect(toChatCompletion({ ...message({}), model: undefined }, { model: "claude-sonnet-5-5" }).model).toBe("claude-sonnet-5-5");
  });

  test("the envelope: chatcmpl- id from the message id, created now, the model that answered", () => {
    const before = Math.floor(Date.now() / 1000);
    const completion: OpenAI.ChatCompletion = toChatCompletion(message({}), { model: "l" });
    expect(completion).toEqual({
      id: "chatcmpl-01ABC",
      object: "chat.completion",
      created: expect.any(Number),
      model: "claude-sonnet-5-5",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello", refusal: null }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(completion.created).toBeGreaterThanOrEqual(before);
    expect(completion.created).toBeLessThan(before + 5);
  });

  test("without a message id the id is still chatcmpl-…", () => {
    expect(toChatCompletion(message({ id: undefined }), { model: "x" }).id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
  });

  test.each<[string, Partial<AnthropicMessage>, Record<string, unknown>, string]>([
    [
      "text blocks joined",
      {
        content: [
          { type: "text", text: "A" },
          { type: "text", text: "B" },
        ],
      },
      { content: "AB" },
      "stop",
    ],
    ["no text → content null", { content: [], stop_reason: "max_tokens" }, { content: null }, "length"],
    [
      "thinking → reasoning_content",
      { content: [{ type: "thinking", thinking: "Hmm." }, { type: "redacted_thinking" }, { type: "text", text: "Yes." }] },
      { content: "Yes.", reasoning_content: "Hmm." },
      "stop",
    ],
    [
      "several thinking blocks read as paragraphs",
      {
        content: [
          { type: "thinking", thinking: "A" },
          { type: "thinking", thinking: "B" },
          { type: "text", text: "C" },
        ],
      },
      { content: "C", reasoning_content: "A\n\nB" },
      "stop",
    ],
    [
      "tool_use → tool_calls with JSON-string arguments",
      {
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
          { type: "tool_use", id: "toolu_2", name: "time", input: {} },
        ],
        stop_reason: "tool_use",
      },
      {
        content: "Checking.",
        tool_calls: [
          { id: "toolu_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
          { id: "toolu_2", type: "function", function: { name: "time", arguments: "{}" } },
        ],
      },
      "tool_calls",
    ],
    [
      "only a tool call → content null",
      { content: [{ type: "tool_use", id: "toolu_1", name: "time", input: {} }], stop_reason: "tool_use" },
      { content: null, tool_calls: [{ id: "toolu_1", type: "function", function: { name: "time", arguments: "{}" } }] },
      "tool_calls",
    ],
    [
      "server tool blocks are left out",
      {
        content: [
          { type: "server_tool_use", id: "s", name: "web_search", input: {} },
          { type: "text", text: "Found." },
        ],
      },
      { content: "Found." },
      "stop",
    ],
    ["refusal → content_filter", { content: [], stop_reason: "refusal" }, { content: null }, "content_filter"],
    ["stop sequence → stop", { stop_reason: "stop_sequence" }, { content: "Hello" }, "stop"],
  ])("%s", (_name, fields, expected, finish) => {
    const [choice] = toChatCompletion(message(fields), { model: "m" }).choices;
    expect(choice.message).toEqual({ role: "assistant", refusal: null, ...expected } as never);
    expect(choice.finish_reason).toBe(finish as never);
  });

  test("legacy functions: the first tool use becomes function_call", () => {
    const [choice] = toChatCompletion(
      message({ content: [{ type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Oslo" } }], stop_reason: "tool_use" }),
      { model: "m", legacyFunctions: true },
    ).choices;
    expect(choice.message).toEqual({
      role: "assistant",
      content: null,
      refusal: null,
      function_call: { name: "weather", arguments: '{"city":"Oslo"}' },
    });
    expect(choice.finish_reason).toBe("function_call");
  });
});
