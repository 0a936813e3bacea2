import { describe, expect, test } from "bun:test";
import { ANSWER_ROOM } from "../../src/openai/reasoning.ts";
import { defaultMaxTokens, toAnthropicRequest } from "../../src/openai/request.ts";
import { FALLBACK_MODELS } from "../../src/models/fallback.ts";
import type { ModelInfo } from "../../src/models/info.ts";
import { ApiError } from "../../src/shared/errors.ts";

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const hi = [{ role: "user", content: "Hi" }];

/** Translates a request that has model "claude-sonnet-5-5" and one user message unless told otherwise. */
const translate = (fields: Record<string, unknown>) =>
  toAnthropicRequest({ model: "claude-sonnet-5-5", messages: hi, ...fields }) as Record<string, unknown>;

const refusal = (body: unknown) => {
  try {
    toAnthropicRequest(body);
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, param: error.param, message: error.message };
    throw error;
  }
  throw new Error("expected the request to be refused");
};

const call = (id: string, name: string, args: string) => ({ id, type: "function", function: { name, arguments: args } });
const weather = {
  type: "function",
  function: { name: "weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};
const time = { type: "function", function: { name: "time" } };
const anthropicWeather = {
  name: "weather",
  description: "Weather",
  input_schema: { type: "object", properties: { city: { type: "string" } } },
};

describe("system and developer messages → system", () => {
  test.each<[string, unknown[], string | undefined, unknown[]]>([
    ["system", [{ role: "system", content: "Be brief." }, ...hi], "Be brief.", [{ role: "user", content: [{ type: "text", text: "Hi" }] }]],
    [
      "developer",
      [{ role: "developer", content: "Be kind." }, ...hi],
      "Be kind.",
      [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    ],
    [
      "system and developer joined in order",
      [
        { role: "system", content: "A" },
        {
          role: "developer",
          content: [
            { type: "text", text: "B" },
            { type: "text", text: "C" },
          ],
        },
        ...hi,
      ],
      "A\n\nB\nC",
      [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    ],
    [
      "a developer message mid-conversation is lifted, the turns around it stay",
      [...hi, { role: "assistant", content: "Hello" }, { role: "developer", content: "Now be terse." }, { role: "user", content: "Again" }],
      "Now be terse.",
      [
        { role: "user", content: [{ type: "text", text: "Hi" }] },
        { role: "assistant", content: [{ type: "text", text: "Hello" }] },
        { role: "user", content: [{ type: "text", text: "Again" }] },
      ],
    ],
    [
      "an empty system message adds nothing",
      [{ role: "system", content: "" }, ...hi],
      undefined,
      [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    ],
  ])("%s", (_name, messages, system, expected) => {
    const body = translate({ messages });
    expect(body.system).toEqual(system);
    expect(body.messages).toEqual(expected);
  });
});

describe("user content", () => {
  test.each<[string, unknown, unknown[]]>([
    ["a string", "Hi", [{ type: "text", text: "Hi" }]],
    [
      "text parts",
      [
        { type: "text", text: "A" },
        { type: "text", text: "B" },
      ],
      [
        { type: "text", text: "A" },
        { type: "text", text: "B" },
      ],
    ],
    [
      "whitespace-only text parts are dropped",
      [
        { type: "text", text: " " },
        { type: "text", text: "B" },
      ],
      [{ type: "text", text: "B" }],
    ],
    [
      "image data URL → base64 source",
      [
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}`, detail: "high" } },
      ],
      [
        { type: "text", text: "What is this?" },
        { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
      ],
    ],
    [
      "image http URL → url source",
      [{ type: "image_url", image_url: { url: "https://example.com/cat.jpg" } }],
      [{ type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } }],
    ],
    [
      "PDF file_data → document",
      [{ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0x", filename: "a.pdf" } }],
      [{ type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0x" }, title: "a.pdf" }],
    ],
  ])("%s", (_name, content, expected) => {
    expect(translate({ messages: [{ role: "user", content }] }).messages).toEqual([{ role: "user", content: expected }]);
  });

  test.each<[string, unknown, string]>([
    [
      "an image that is neither URL nor data URL",
      { type: "image_url", image_url: { url: "file:///etc/passwd" } },
      "messages[0].content[0].image_url.url",
    ],
    [
      "a data URL that is not base64",
      { type: "image_url", image_url: { url: "data:image/png,abc" } },
      "messages[0].content[0].image_url.url",
    ],
    ["audio input", { type: "input_audio", input_audio: { data: "x", format: "wav" } }, "messages[0].content[0].type"],
    ["a file by id", { type: "file", file: { file_id: "file-1" } }, "messages[0].content[0].file.file_id"],
    [
      "a file that is not a PDF",
      { type: "file", file: { file_data: "data:text/plain;base64,aGk=" } },
      "messages[0].content[0].file.file_data",
    ],
  ])("refused: %s", (_name, part, param) => {
    expect(refusal({ model: "m", messages: [{ role: "user", content: [part] }] })).toMatchObject({ status: 400, param });
  });
});

describe("assistant turns and tool results", () => {
  test.each<[string, unknown[], unknown[]]>([
    [
      "assistant text",
      [...hi, { role: "assistant", content: "Hello" }, { role: "user", content: "Bye" }],
      [
        { role: "user", content: [{ type: "text", text: "Hi" }] },
        { role: "assistant", content: [{ type: "text", text: "Hello" }] },
        { role: "user", content: [{ type: "text", text: "Bye" }] },
      ],
    ],
    [
      "assistant text and refusal parts",
      [
        ...hi,
        {
          role: "assistant",
          content: [
            { type: "text", text: "A" },
            { type: "refusal", refusal: "B" },
          ],
        },
      ],
      [
        { role: "user", content: [{ type: "text", text: "Hi" }] },
        {
          role: "assistant",
          content: [
            { type: "text", text: "A" },
            { type: "text", text: "B" },
          ],
        },
      ],
    ],
    [
      "tool_calls → tool_use; consecutive tool messages → one user turn of tool_results",
      [
        ...hi,
        { role: "assistant", content: null, tool_calls: [call("call_1", "weather", '{"city":"Paris"}'), call("call_2", "time", "")] },
        { role: "tool", tool_call_id: "call_1", content: "Sunny" },
        { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "noon" }] },
      ],
      [
        { role: "user", content: [{ type: "text", text: "Hi" }] },
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "call_1", name: "weather", input: { city: "Paris" } },
            { type: "tool_use", id: "call_2", name: "time", input: {} },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_1", content: "Sunny" },
            { type: "tool_result", tool_use_id: "call_2", content: "noon" },
          ],
        },
      ],
    ],
    [
      "assistant text before its tool calls is kept, a user message after tool results joins their turn after them",
      [
        ...hi,
        { role: "assistant", content: "Let me check.", tool_calls: [call("call_1", "weather", "{}")] },
        { role: "tool", tool_call_id: "call_1", content: "Sunny" },
        { role: "user", content: "And tomorrow?" },
      ],
      [
        { role: "user", content: [{ type: "text", text: "Hi" }] },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Let me check." },
            { type: "tool_use", id: "call_1", name: "weather", input: {} },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_1", content: "Sunny" },
            { type: "text", text: "And tomorrow?" },
          ],
        },
      ],
    ],
    [
      "tool ids another provider made are made Anthropic-safe, the same way on both sides",
      [
        ...hi,
        { role: "assistant", tool_calls: [call("call:1.a", "weather", "{}")] },
        { role: "tool", tool_call_id: "call:1.a", content: "Sunny" },
      ],
      [
        { role: "user", content: [{ type: "text", text: "Hi" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "call_1_a", name: "weather", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1_a", content: "Sunny" }] },
      ],
    ],
    [
      "an empty assistant message is dropped and the user turns around it merge",
      [...hi, { role: "assistant", content: "" }, { role: "user", content: "Still there?" }],
      [
        {
          role: "user",
          content: [
            { type: "text", text: "Hi" },
            { type: "text", text: "Still there?" },
          ],
        },
      ],
    ],
  ])("%s", (_name, messages, expected) => {
    expect(translate({ messages }).messages).toEqual(expected);
  });

  test.each<[string, string]>([
    ["not JSON", "{city:"],
    ["not an object", "[1,2]"],
  ])("tool_call arguments that are %s are refused, naming the field", (_name, args) => {
    const messages = [
      ...hi,
      { role: "assistant", tool_calls: [call("c1", "weather", args)] },
      { role: "tool", tool_call_id: "c1", content: "x" },
    ];
    expect(refusal({ model: "m", messages })).toMatchObject({ status: 400, param: "messages[1].tool_calls[0].function.arguments" });
  });
});

describe("legacy functions / function_call", () => {
  const functions = [weather.function];
  test("functions → tools, one call at a time; function_call name → tool choice", () => {
    const body = translate({ functions, function_call: { name: "weather" } });
    expect(body.tools).toEqual([anthropicWeather]);
    expect(body.tool_choice).toEqual({ type: "tool", name: "weather", disable_parallel_tool_use: true });
  });

  test.each<[string, unknown, unknown]>([
    ["absent → auto", undefined, { type: "auto", disable_parallel_tool_use: true }],
    ["auto → auto", "auto", { type: "auto", disable_parallel_tool_use: true }],
    ["none → none", "none", { type: "none" }],
  ])("function_call %s", (_name, functionCall, expected) => {
    expect(translate({ functions, function_call: functionCall }).tool_choice).toEqual(expected);
  });

  test("an assistant function_call and the function message answering it pair up", () => {
    const body = translate({
      functions,
      messages: [
        ...hi,
        { role: "assistant", content: null, function_call: { name: "weather", arguments: '{"city":"Oslo"}' } },
        { role: "function", name: "weather", content: "Snow" },
      ],
    });
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Hi" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "call_legacy_1", name: "weather", input: { city: "Oslo" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_legacy_1", content: "Snow" }] },
    ]);
  });

  test("a function message without a function_call before it is refused", () => {
    expect(refusal({ model: "m", messages: [...hi, { role: "function", name: "weather", content: "x" }] })).toMatchObject({
      status: 400,
      param: "messages[1]",
    });
  });
});

describe("tools and tool_choice", () => {
  test("function tools → name, description, input_schema; a function without parameters gets an empty object schema", () => {
    expect(translate({ tools: [weather, time] }).tools).toEqual([
      anthropicWeather,
      { name: "time", input_schema: { type: "object", properties: {} } },
    ]);
  });

  test.each<[string, unknown, unknown, unknown]>([
    ["absent", undefined, undefined, undefined],
    ["auto", "auto", undefined, { type: "auto" }],
    ["none", "none", undefined, { type: "none" }],
    ["required → any", "required", undefined, { type: "any" }],
    ["named", { type: "function", function: { name: "time" } }, undefined, { type: "tool", name: "time" }],
    ["parallel_tool_calls false, no tool_choice", undefined, false, { type: "auto", disable_parallel_tool_use: true }],
    ["parallel_tool_calls false with required", "required", false, { type: "any", disable_parallel_tool_use: true }],
    [
      "parallel_tool_calls false with named",
      { type: "function", function: { name: "time" } },
      false,
      { type: "tool", name: "time", disable_parallel_tool_use: true },
    ],
    ["parallel_tool_calls false with none", "none", false, { type: "none" }],
    ["parallel_tool_calls true", "auto", true, { type: "auto" }],
    [
      "allowed_tools required → any",
      { type: "allowed_tools", allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "time" } }] } },
      undefined,
      { type: "any" },
    ],
  ])("tool_choice %s", (_name, toolChoice, parallel, expected) => {
    expect(translate({ tools: [weather, time], tool_choice: toolChoice, parallel_tool_calls: parallel }).tool_choice).toEqual(expected);
  });

  test("allowed_tools narrows the tools sent", () => {
    const choice = { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [{ type: "function", function: { name: "time" } }] } };
    expect(translate({ tools: [weather, time], tool_choice: choice }).tools).toEqual([
      { name: "time", input_schema: { type: "object", properties: {} } },
    ]);
  });

  test("tool_choice without tools is dropped (Anthropic would refuse it)", () => {
    const body = translate({ tool_choice: "required" });
    expect(body.tool_choice).toBeUndefined();
    expect(body.tools).toBeUndefined();
  });

  test.each<[string, Record<string, unknown>, string]>([
    ["custom tools", { tools: [{ type: "custom", custom: { name: "grep" } }] }, "tools[0].type"],
    ["a named custom tool choice", { tools: [weather], tool_choice: { type: "custom", custom: { name: "grep" } } }, "tool_choice"],
  ])("refused: %s", (_name, fields, param) => {
    expect(refusal({ model: "m", messages: hi, ...fields })).toMatchObject({ status: 400, param });
  });
});

describe("max_tokens", () => {
  test.each<[string, Record<string, unknown>, number]>([
    ["max_completion_tokens", { max_completion_tokens: 100 }, 100],
    ["max_tokens", { max_tokens: 200 }, 200],
    ["max_completion_tokens wins over max_tokens", { max_completion_tokens: 100, max_tokens: 200 }, 100],
    ["null means absent", { max_completion_tokens: null, max_tokens: 300 }, 300],
    ["absent: 8192 for a current model", { model: "claude-sonnet-5-5" }, 8192],
    ["absent: a nickname goes by the model it resolved to", { model: "l" }, 8192],
    ["absent: an unknown model gets the safe 4096", { model: "some-model" }, 4096],
  ])("%s", (_name, fields, expected) => {
    const resolved = fields.model === "some-model" ? "some-model" : "claude-sonnet-5-5";
    const body = toAnthropicRequest({ model: "claude-sonnet-5-5", messages: hi, ...fields }, { model: resolved });
    expect(body.max_tokens).toBe(expected);
  });

  test.each<[string, number]>([
    ["claude-haiku-5-5", 8192],
    ["claude-sonnet-5-5", 8192],
    ["claude-opus-5-5", 8192],
    ["claude-fable-5-2", 8192],
    ["claude-mythos-5-2", 8192],
    ["claude-opus-4-8", 8192],
    ["claude-haiku-4-5", 8192],
    ["claude-haiku-4-5-20251001", 8192],
    ["gpt-4o", 4096],
  ])("default for %s is %d", (model, expected) => {
    expect(defaultMaxTokens(model)).toBe(expected);
  });

  test("a model the catalogue describes goes by its max_tokens, up to 8192", () => {
    expect(defaultMaxTokens("claude-new-line-1", 128_000)).toBe(8192);
    expect(defaultMaxTokens("claude-sonnet-5-5", 2048)).toBe(2048);
    const body = toAnthropicRequest(
      { model: "x", messages: hi },
      { model: "claude-future-1", modelInfo: { id: "claude-future-1", max_tokens: 64_000 } },
    );
    expect(body.max_tokens).toBe(8192);
  });

  test("the model stays as the client named it (the route resolves nicknames)", () => {
    expect(toAnthropicRequest({ model: "l", messages: hi }, { model: "claude-sonnet-5-5" }).model).toBe("l");
    expect("model" in toAnthropicRequest({ messages: hi })).toBe(false);
  });
});

describe("sampling, stop, user, stream", () => {
  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["stop string → stop_sequences", { stop: "END" }, { stop_sequences: ["END"] }],
    ["stop array → stop_sequences", { stop: ["A", "B"] }, { stop_sequences: ["A", "B"] }],
    ["stop null → none", { stop: null }, { stop_sequences: undefined }],
    ["temperature", { temperature: 0.3 }, { temperature: 0.3 }],
    ["temperature above Anthropic's 1 is clamped", { temperature: 1.7 }, { temperature: 1 }],
    ["top_p", { top_p: 0.9 }, { top_p: 0.9 }],
    [
      "temperature and top_p: temperature only (newer models refuse both)",
      { temperature: 0.5, top_p: 0.9 },
      { temperature: 0.5, top_p: undefined },
    ],
    ["user → metadata.user_id", { user: "u-1" }, { metadata: { user_id: "u-1" } }],
    ["safety_identifier → metadata.user_id", { safety_identifier: "s-1" }, { metadata: { user_id: "s-1" } }],
    ["stream", { stream: true, stream_options: { include_usage: true } }, { stream: true, stream_options: undefined }],
    ["stream false is left out", { stream: false }, { stream: undefined }],
    [
      "fields Anthropic does not know are not forwarded",
      {
        n: 1,
        seed: 1,
        logprobs: true,
        response_format: { type: "text" },
        frequency_penalty: 0,
        presence_penalty: 0,
        store: true,
        metadata: { a: "b" },
      },
      {
        n: undefined,
        seed: undefined,
        logprobs: undefined,
        response_format: undefined,
        output_config: undefined,
        frequency_penalty: undefined,
        presence_penalty: undefined,
        store: undefined,
        metadata: undefined,
      },
    ],
  ])("%s", (_name, fields, expected) => {
    const body = translate(fields);
    for (const [key, value] of Object.entries(expected)) expect([key, body[key]]).toEqual([key, value]);
  });
});

describe("reasoning_effort → thinking and effort", () => {
  const sonnet = FALLBACK_MODELS.find((model) => model.id === "claude-sonnet-5-5");
  /** A model of the 4.6 generation: thinking with a budget, no effort levels. */
  const budgetModel: ModelInfo = {
    id: "claude-sonnet-4-6",
    capabilities: {
      thinking: { supported: true, types: { adaptive: { supported: true }, enabled: { supported: true }, disabled: { supported: true } } },
    },
  };
  const budgetOnly: ModelInfo = {
    id: "claude-old",
    capabilities: {
      thinking: { supported: true, types: { adaptive: { supported: false }, enabled: { supported: true }, disabled: { supported: true } } },
    },
  };
  const on = (fields: Record<string, unknown>, modelInfo?: ModelInfo) =>
    toAnthropicRequest({ model: "m", messages: hi, ...fields }, { modelInfo }) as Record<string, unknown>;

  test.each<[string, Record<string, unknown> | undefined, Record<string, unknown> | undefined]>([
    ["none", undefined, { type: "disabled" }],
    ["minimal", { effort: "low" }, { type: "disabled" }],
    ["low", { effort: "low" }, { type: "adaptive", display: "summarized" }],
    ["medium", { effort: "medium" }, { type: "adaptive", display: "summarized" }],
    ["high", { effort: "high" }, { type: "adaptive", display: "summarized" }],
    ["xhigh", { effort: "xhigh" }, { type: "adaptive", display: "summarized" }],
    ["max (Sonnet 5.5 lists up to xhigh)", { effort: "xhigh" }, { type: "adaptive", display: "summarized" }],
  ])("current model, %s → output_config %p, thinking %p (never budget_tokens)", (effort, outputConfig, thinking) => {
    const body = on({ reasoning_effort: effort.split(" ")[0] }, sonnet);
    expect(body.output_config).toEqual(outputConfig);
    expect(body.thinking).toEqual(thinking);
  });

  test("a model the catalogue does not describe: adaptive thinking, effort capped at high", () => {
    expect(on({ reasoning_effort: "max" })).toMatchObject({
      thinking: { type: "adaptive", display: "summarized" },
      output_config: { effort: "high" },
    });
  });

  test.each<[string, number]>([
    ["low", 1024],
    ["medium", 4096],
    ["high", 16384],
    ["xhigh", 24576],
  ])("a model that only takes a budget: %s → budget %d", (effort, budget) => {
    const body = on({ reasoning_effort: effort, max_completion_tokens: 64000 }, budgetOnly);
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: budget });
    expect(body.output_config).toBeUndefined();
  });

  test("a model that takes both prefers adaptive thinking", () => {
    expect(on({ reasoning_effort: "low" }, budgetModel).thinking).toEqual({ type: "adaptive", display: "summarized" });
  });

  test.each<[string, Record<string, unknown>, number]>([
    ["max_tokens above the budget is kept", { reasoning_effort: "low", max_completion_tokens: 2000 }, 2000],
    ["max_tokens at or below the budget is raised", { reasoning_effort: "high", max_completion_tokens: 1000 }, 16384 + ANSWER_ROOM],
    ["the default max_tokens is raised too", { reasoning_effort: "high" }, 16384 + ANSWER_ROOM],
  ])("budget models: %s", (_name, fields, expected) => {
    expect(on(fields, budgetOnly).max_tokens).toBe(expected);
  });

  test("temperature and top_p are dropped with thinking on (Anthropic refuses them)", () => {
    const body = on({ reasoning_effort: "medium", temperature: 0.2, top_p: 0.5 }, budgetModel);
    expect(body.thinking).toBeDefined();
    expect(body.temperature).toBeUndefined();
    expect(body.top_p).toBeUndefined();
  });

  test.each<[string, Record<string, unknown>]>([
    ["a forced tool choice", { tools: [weather], tool_choice: "required" }],
    ["a named tool choice", { tools: [weather], tool_choice: { type: "function", function: { name: "weather" } } }],
    [
      "a turn that answers tool calls (their signed thinking cannot come back through OpenAI messages)",
      {
        tools: [weather],
        messages: [
          ...hi,
          { role: "assistant", tool_calls: [call("c1", "weather", "{}")] },
          { role: "tool", tool_call_id: "c1", content: "x" },
        ],
      },
    ],
  ])("no thinking with %s, instead of an upstream 400 (the effort stays)", (_name, fields) => {
    const body = on({ reasoning_effort: "high", ...fields }, sonnet);
    expect(body.thinking).toBeUndefined();
    expect(body.output_config).toEqual({ effort: "high" });
  });
});

describe("response_format → output_config.format", () => {
  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
  test.each<[string, unknown, unknown]>([
    ["text: nothing", { type: "text" }, undefined],
    ["json_object: a schema for any object", { type: "json_object" }, { format: { type: "json_schema", schema: { type: "object" } } }],
    [
      "json_schema: the schema",
      { type: "json_schema", json_schema: { name: "trip", schema, strict: true } },
      { format: { type: "json_schema", schema } },
    ],
  ])("%s", (_name, responseFormat, expected) => {
    expect(translate({ response_format: responseFormat }).output_config).toEqual(expected);
  });

  test("it sits beside the effort", () => {
    const body = toAnthropicRequest(
      { model: "m", messages: hi, reasoning_effort: "low", response_format: { type: "json_object" } },
      { modelInfo: FALLBACK_MODELS[1] },
    ) as Record<string, unknown>;
    expect(body.output_config).toEqual({ effort: "low", format: { type: "json_schema", schema: { type: "object" } } });
  });

  test("constraints Anthropic refuses are moved into the description, and the debug note names them", () => {
    const notes: string[] = [];
    const body = toAnthropicRequest(
      {
        model: "m",
        messages: hi,
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "age",
            schema: { type: "object", properties: { age: { type: "integer", minimum: 0, description: "Years" } } },
          },
        },
      },
      { note: (n) => notes.push(n) },
    ) as { output_config: { format: { schema: unknown } } };
    expect(body.output_config.format.schema).toEqual({
      type: "object",
      properties: { age: { type: "integer", description: "Years\n\n{minimum: 0}" } },
      additionalProperties: false,
    });
    expect(notes).toEqual([expect.stringContaining("$.properties.age.minimum")]);
  });

  test("a malformed response_format is a 400 naming it", () => {
    expect(() => translate({ response_format: { type: "yaml" } })).toThrow(/response_format/);
  });
});

describe("temperature and top_p only where the model and the API version take them", () => {
  test.each<[string, ModelInfo | undefined, string | undefined, boolean]>([
    ["a model the catalogue does not describe", undefined, undefined, true],
    ["a current (adaptive-only) model", FALLBACK_MODELS[1], undefined, false],
    ["anthropic-version 2026-10-21", undefined, "2026-10-21", false],
    ["a later anthropic-version", undefined, "2027-03-01", false],
    [
      "a model that still takes a budget",
      { id: "x", capabilities: { thinking: { types: { adaptive: { supported: true }, enabled: { supported: true } } } } },
      "2023-06-01",
      true,
    ],
  ])("%s", (_name, modelInfo, version, kept) => {
    const notes: string[] = [];
    const body = toAnthropicRequest(
      { model: "m", messages: hi, temperature: 0.3 },
      { modelInfo, version, note: (n) => notes.push(n) },
    ) as Record<string, unknown>;
    expect(body.temperature).toBe(kept ? 0.3 : undefined);
    expect(notes.length).toBe(kept ? 0 : 1);
  });
});

describe("refused requests: 400 in OpenAI's shape, naming the parameter", () => {
  test.each<[string, unknown, string | null, string]>([
    ["n > 1", { model: "m", messages: hi, n: 2 }, "n", "n: 2 is not supported"],
    ["not an object", [1, 2], null, "the request body must be a JSON object"],
    ["messages missing", { model: "m" }, "messages", "messages is required"],
    ["messages empty", { model: "m", messages: [] }, "messages", "messages must hold at least one message"],
    [
      "an unknown role",
      { model: "m", messages: [{ role: "robot", content: "x" }] },
      "messages[0].role",
      'messages[0].role must be one of "system", "developer", "user", "assistant", "tool", "function" (got "robot")',
    ],
    [
      "a tool message without tool_call_id",
      { model: "m", messages: [{ role: "tool", content: "x" }] },
      "messages[0].tool_call_id",
      "messages[0].tool_call_id is required",
    ],
    ["max_tokens 0", { model: "m", messages: hi, max_tokens: 0 }, "max_tokens", "max_tokens must be at least 1 (got 0)"],
    [
      "an unknown reasoning_effort",
      { model: "m", messages: hi, reasoning_effort: "extreme" },
      "reasoning_effort",
      'reasoning_effort must be one of "none", "minimal", "low", "medium", "high", "xhigh", "max" (got "extreme")',
    ],
    ["stream not a boolean", { model: "m", messages: hi, stream: "yes" }, "stream", 'stream must be true or false (got "yes")'],
  ])("%s", (_name, body, param, message) => {
    const error = refusal(body);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toStartWith(message);
    // valibot's own wording is for developers, never for a client (shared/issues.ts).
    expect(error.message).not.toMatch(/Invalid (key|type|value|length)|but received/);
    expect(error.message).not.toContain("\n");
  });

  test("n: 1 is fine, and so is every field being null", () => {
    const body = translate({
      n: 1,
      stream: null,
      stream_options: null,
      temperature: null,
      top_p: null,
      stop: null,
      user: null,
      tools: null,
      tool_choice: null,
      reasoning_effort: null,
      max_tokens: null,
    });
    expect(body.max_tokens).toBe(8192);
  });

  test("the OpenAI error shape", () => {
    try {
      toAnthropicRequest({ model: "m", messages: hi, n: 3 });
    } catch (error) {
      expect((error as ApiError).toOpenAI()).toEqual({
        error: {
          message: expect.stringContaining("n: 3 is not supported"),
          type: "invalid_request_error",
          param: "n",
          code: "invalid_request_error",
        },
      });
      return;
    }
    throw new Error("n: 3 was accepted");
  });
});
