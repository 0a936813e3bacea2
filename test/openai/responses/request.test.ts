import { describe, expect, test } from "bun:test";
import { fromResponsesRequest, inputItems } from "../../../src/openai/responses/request.ts";
import { parseResponsesRequest } from "../../../src/openai/responses/schema.ts";
import type { ApiError } from "../../../src/shared/errors.ts";

const translate = (body: Record<string, unknown>, options: Parameters<typeof fromResponsesRequest>[2] = {}) => {
  const request = parseResponsesRequest({ model: "m", ...body });
  return fromResponsesRequest(request, inputItems(request), options);
};
const refused = (body: Record<string, unknown>) => {
  try {
    translate(body);
  } catch (error) {
    return error as ApiError;
  }
  throw new Error("expected a 400");
};

describe("input", () => {
  test("a string is one user message; instructions and system/developer items are the system prompt, in order", () => {
    const { body } = translate({
      instructions: "A.",
      input: [
        { role: "developer", content: "B." },
        { role: "user", content: [{ type: "input_text", text: "Hi" }] },
        { role: "system", content: "C." },
      ],
    });
    expect(body.system).toBe("A.\n\nB.\n\nC.");
    expect(body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hi" }] }]);
    expect(translate({ input: "Hello" }).body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hello" }] }]);
  });

  test("calls and outputs become tool_use and tool_result, results first in their turn", () => {
    const { body } = translate({
      input: [
        { role: "user", content: "Go" },
        { type: "function_call", call_id: "call_1", name: "f", arguments: '{"a":1}' },
        { type: "custom_tool_call", call_id: "call_2", name: "apply_patch", input: "*** Begin Patch" },
        { role: "user", content: "and then" },
        { type: "function_call_output", call_id: "call_1", output: "one" },
        { type: "custom_tool_call_output", call_id: "call_2", output: "done" },
      ],
      tools: [
        { type: "function", name: "f", parameters: { type: "object" } },
        { type: "custom", name: "apply_patch" },
      ],
    });
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Go" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "call_1", name: "f", input: { a: 1 } },
          { type: "tool_use", id: "call_2", name: "apply_patch", input: { input: "*** Begin Patch" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: "one" },
          { type: "tool_result", tool_use_id: "call_2", content: "done" },
          { type: "text", text: "and then" },
        ],
      },
    ]);
  });

  test("a reasoning item is restored only when its encrypted_content opens", () => {
    const thinking = { type: "thinking" as const, thinking: "t", signature: "s" };
    const input = [
      { role: "user", content: "Go" },
      { type: "reasoning", summary: [], encrypted_content: "sealed" },
      { type: "function_call", call_id: "c", name: "f", arguments: "{}" },
    ];
    const tools = [{ type: "function", name: "f" }];
    const opened = translate({ input, tools }, { openReasoning: (sealed) => (sealed === "sealed" ? [thinking] : undefined) });
    expect(opened.body.messages[1]!.content[0]).toEqual(thinking);
    const notes: string[] = [];
    const foreign = translate({ input, tools }, { openReasoning: () => undefined, note: (n) => notes.push(n) });
    expect(foreign.body.messages[1]!.content[0]!.type).toBe("tool_use");
    expect(notes.join()).toContain("cannot restore");
  });

  test("an unresolved item_reference is a 400 that says to send the full input", () => {
    const error = refused({ input: [{ type: "item_reference", id: "msg_x" }] });
    expect(error.status).toBe(400);
    expect(error.message).toContain("send the full input");
  });
});

describe("tools", () => {
  test("namespaces are flattened and remembered; custom tools take one string", () => {
    const { body, tools } = translate({
      input: "x",
      tools: [
        {
          type: "namespace",
          name: "crm",
          tools: [
            { type: "function", name: "find" },
            { type: "custom", name: "note" },
          ],
        },
        {
          type: "custom",
          name: "apply_patch",
          description: "Patch",
          format: { type: "grammar", syntax: "lark", definition: "start: /.+/" },
        },
      ],
    });
    expect((body.tools ?? []).map((tool) => tool.name)).toEqual(["crm__find", "crm__note", "apply_patch"]);
    expect(tools.get("crm__find")).toEqual({ name: "find", namespace: "crm", kind: "function" });
    expect(tools.get("apply_patch")).toEqual({ name: "apply_patch", kind: "custom" });
    const patch = body.tools!.find((tool) => tool.name === "apply_patch")!;
    expect(patch.input_schema).toMatchObject({ properties: { input: { type: "string" } }, required: ["input"] });
    expect(patch.description).toContain("start: /.+/");
  });

  test.each<[string, unknown, unknown]>([
    ["required", "required", { type: "any" }],
    ["none", "none", { type: "none" }],
    ["a named function", { type: "function", name: "f" }, { type: "tool", name: "f" }],
    ["allowed_tools, required", { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "f" }] }, { type: "any" }],
  ])("tool_choice %s", (_name, choice, expected) => {
    expect(
      translate({
        input: "x",
        tools: [
          { type: "function", name: "f" },
          { type: "function", name: "g" },
        ],
        tool_choice: choice,
      }).body.tool_choice,
    ).toEqual(expected as never);
  });

  test("parallel_tool_calls: false → disable_parallel_tool_use", () => {
    expect(translate({ input: "x", tools: [{ type: "function", name: "f" }], parallel_tool_calls: false }).body.tool_choice).toEqual({
      type: "auto",
      disable_parallel_tool_use: true,
    });
  });

  test.each(["file_search", "mcp", "code_interpreter", "image_generation", "computer_use_preview", "local_shell"])(
    "hosted tool %s: a 400 naming it",
    (type) => {
      const error = refused({ input: "x", tools: [{ type }] });
      expect(error.message).toContain(type);
      expect(error.param).toBe("tools[0].type");
    },
  );
});

test("max_output_tokens, user, text.format, reasoning effort", () => {
  const { body } = translate({
    input: "x",
    max_output_tokens: 100,
    user: "u1",
    text: { format: { type: "json_schema", name: "n", schema: { type: "object", properties: { a: { type: "string" } } } } },
    reasoning: { effort: "low", summary: "auto" },
  });
  expect(body).toMatchObject({
    max_tokens: 100,
    metadata: { user_id: "u1" },
    thinking: { type: "adaptive", display: "summarized" },
    output_config: {
      effort: "low",
      format: { type: "json_schema", schema: { type: "object", properties: { a: { type: "string" } }, additionalProperties: false } },
    },
  });
});
