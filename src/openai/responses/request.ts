/**
 * OpenAI Responses request → Anthropic Messages request (docs/PROTOCOL.md §7). Pure: the route resolves the model,
 * expands `previous_response_id` and `item_reference` items from its store, and passes the whole input in.
 */
import {
  type AnthropicBlock,
  type AnthropicMessageParam,
  type AnthropicRequestBody,
  type AnthropicTool,
  type AnthropicToolChoice,
  applyGeneration,
  bindThinking,
  defaultMaxTokens,
  fileBlock,
  fitToolChoice,
  imageSource,
  jsonSchemaFormat,
  parseArguments,
  restoreThinking,
  type TranslateOptions,
  textBlock,
  toolId,
} from "../anthropic-body.ts";
import { badRequest } from "../schema.ts";
import type { ThinkingBlock } from "../thinking-cache.ts";
import type { InputItem, ResponsesRequest } from "./schema.ts";
import type { ToolOrigin } from "./types.ts";

export interface ResponsesTranslateOptions extends TranslateOptions {
  /** The thinking sealed in a reasoning item's `encrypted_content`, or undefined when it cannot be trusted. */
  openReasoning?: (encrypted: string) => readonly ThinkingBlock[] | undefined;
}

export interface TranslatedResponses {
  body: AnthropicRequestBody;
  /** Anthropic tool name → the client's tool, for writing calls back. */
  tools: Map<string, ToolOrigin>;
}

/** The hosted tool Anthropic has an equivalent for: its web search server tool. */
const WEB_SEARCH_TOOL = { type: "web_search_20250305", name: "web_search" } as const;
const WEB_SEARCH_TYPES = new Set(["web_search", "web_search_preview", "web_search_2025_08_26"]);

/** The Anthropic name of a tool declared inside a `namespace` tool (names allow [a-zA-Z0-9_-], 64 characters). */
const flatName = (name: string, namespace?: string) => (namespace ? `${namespace}__${name}` : name);

type Record_ = Record<string, unknown>;
const str = (value: unknown) => (typeof value === "string" ? value : undefined);

// ---------------------------------------------------------------------------------------------------------------
// tools

function functionTool(tool: Record_, namespace: string | undefined, param: string): [AnthropicTool, ToolOrigin] {
  const name = str(tool.name);
  if (!name) badRequest(`${param}.name: required`, `${param}.name`);
  const parameters =
    tool.parameters && typeof tool.parameters === "object" ? (tool.parameters as Record_) : { type: "object", properties: {} };
  const anthropic: AnthropicTool & { strict?: boolean } = {
    name: flatName(name, namespace),
    ...(str(tool.description) ? { description: str(tool.description) } : {}),
    input_schema: parameters,
    ...(tool.strict === true ? { strict: true } : {}),
  };
  return [anthropic, { name, kind: "function", ...(namespace ? { namespace } : {}) }];
}

/** A free-form (custom) tool, e.g. Codex's apply_patch: Claude sees one string parameter, `input`. */
function customTool(tool: Record_, namespace: string | undefined, param: string): [AnthropicTool, ToolOrigin] {
  const name = str(tool.name);
  if (!name) badRequest(`${param}.name: required`, `${param}.name`);
  const format = tool.format && typeof tool.format === "object" ? (tool.format as Record_) : undefined;
  const grammar =
    format?.type === "grammar" && str(format.definition)
      ? `\n\nThe input must follow this ${str(format.syntax) ?? ""} grammar:\n${str(format.definition)}`
      : "";
  return [
    {
      name: flatName(name, namespace),
      description: `${str(tool.description) ?? ""}${grammar}`.trim() || `The ${name} tool`,
      input_schema: {
        type: "object",
        properties: { input: { type: "string", description: "The tool's free-form input, exactly as the tool expects it." } },
        required: ["input"],
      },
    },
    { name, kind: "custom", ...(namespace ? { namespace } : {}) },
  ];
}

/** Client tools as Anthropic tools (namespaces flattened), and the map back. Hosted tools without an equivalent: 400. */
function toolsOf(
  request: ResponsesRequest,
  note: TranslateOptions["note"],
): { tools: (AnthropicTool | typeof WEB_SEARCH_TOOL)[]; origins: Map<string, ToolOrigin> } {
  const tools: (AnthropicTool | typeof WEB_SEARCH_TOOL)[] = [];
  const origins = new Map<string, ToolOrigin>();
  const add = (tool: Record_, namespace: string | undefined, param: string) => {
    const type = str(tool.type);
    if (type === "function" || type === "custom") {
      const [anthropic, origin] = type === "function" ? functionTool(tool, namespace, param) : customTool(tool, namespace, param);
      if (origins.has(anthropic.name)) badRequest(`${param}: a second tool named ${JSON.stringify(anthropic.name)}`, `${param}.name`);
      tools.push(anthropic);
      origins.set(anthropic.name, origin);
      return;
    }
    if (type === "namespace" && !namespace) {
      const name = str(tool.name);
      if (!name) badRequest(`${param}.name: required`, `${param}.name`);
      const inner = Array.isArray(tool.tools) ? (tool.tools as Record_[]) : [];
      for (const [j, sub] of inner.entries()) add(sub, name, `${param}.tools[${j}]`);
      return;
    }
    if (type && WEB_SEARCH_TYPES.has(type)) {
      if (!tools.includes(WEB_SEARCH_TOOL)) tools.push(WEB_SEARCH_TOOL);
      note?.(`${param}: ${type} → Anthropic's web search server tool`);
      return;
    }
    badRequest(
      `${param}: the hosted tool ${JSON.stringify(type)} has no Claude equivalent through maximize — remove it, or offer it as a function tool`,
      `${param}.type`,
    );
  };
  for (const [i, tool] of (request.tools ?? []).entries()) add(tool as Record_, undefined, `tools[${i}]`);
  return { tools, origins };
}

function toolChoiceOf(request: ResponsesRequest, origins: Map<string, ToolOrigin>): AnthropicToolChoice | undefined {
  const choice = request.tool_choice;
  const parallel = request.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === "none") return { type: "none" };
  if (choice === "required") return { type: "any", ...parallel };
  if (!choice || choice === "auto") return request.parallel_tool_calls === false ? { type: "auto", ...parallel } : undefined;
  const choiceRecord = choice as Record_;
  if (choiceRecord.type === "allowed_tools") return { type: choiceRecord.mode === "required" ? "any" : "auto", ...parallel };
  if (choiceRecord.type === "function" || choiceRecord.type === "custom") {
    const name = flatName(String(choiceRecord.name ?? ""), str(choiceRecord.namespace));
    if (!origins.has(name)) badRequest(`tool_choice: no tool named ${JSON.stringify(name)} in tools`, "tool_choice");
    return { type: "tool", name, ...parallel };
  }
  if (WEB_SEARCH_TYPES.has(String(choiceRecord.type))) return { type: "tool", name: WEB_SEARCH_TOOL.name, ...parallel };
  return badRequest(
    `tool_choice: ${JSON.stringify(choiceRecord.type)} is not supported; use auto, required, none or a named function`,
    "tool_choice",
  );
}

/** allowed_tools narrows the tools sent to the ones it names. */
function allowedTools<T extends { name: string }>(tools: T[], request: ResponsesRequest): T[] {
  const choice = request.tool_choice;
  if (!choice || typeof choice === "string" || choice.type !== "allowed_tools" || !Array.isArray(choice.tools)) return tools;
  const names = new Set((choice.tools as Record_[]).map((tool) => flatName(String(tool.name ?? ""), str(tool.namespace))));
  return tools.filter(
    (tool) =>
      names.has(tool.name) ||
      (tool.name === WEB_SEARCH_TOOL.name && (choice.tools as Record_[]).some((t) => WEB_SEARCH_TYPES.has(String(t.type)))),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// input

type Turn = AnthropicMessageParam;

function contentParts(content: unknown, param: string): AnthropicBlock[] {
  if (typeof content === "string") return textBlock(content);
  if (!Array.isArray(content)) return badRequest(`${param}: must be a string or a list of content parts`, param);
  return content.flatMap((part: Record_, j) => {
    const at = `${param}[${j}]`;
    switch (part.type) {
      case "input_text":
      case "output_text":
      case "text":
        return textBlock(String(part.text ?? ""));
      case "refusal":
        return textBlock(String(part.refusal ?? ""));
      case "input_image": {
        const url = str(part.image_url);
        if (!url)
          return badRequest(
            `${at}: file_id refers to OpenAI file storage, which Claude cannot read; send image_url (an http(s) or data URL)`,
            `${at}.file_id`,
          );
        return [{ type: "image", source: imageSource(url, `${at}.image_url`) }];
      }
      case "input_file": {
        const url = str(part.file_url);
        if (url && /^https?:\/\//i.test(url)) return [{ type: "document", source: { type: "url", url } }];
        return [fileBlock({ file_data: str(part.file_data), file_id: str(part.file_id), filename: str(part.filename) }, at)];
      }
      default:
        return badRequest(`${at}.type: ${JSON.stringify(part.type)} is not a content part maximize can send to Claude`, `${at}.type`);
    }
  });
}

/** Output of a tool call: a string, or content parts (text, images, files). */
function toolOutput(output: unknown, param: string): string | AnthropicBlock[] {
  if (typeof output === "string") return output;
  return contentParts(output ?? "", param);
}

interface Conversation {
  turns: Turn[];
  system: string[];
}

/** Appends blocks to the conversation, merging consecutive turns of one role. */
function push(conversation: Conversation, role: Turn["role"], blocks: AnthropicBlock[]): void {
  if (blocks.length === 0) return;
  const last = conversation.turns.at(-1);
  if (last?.role === role) last.content.push(...blocks);
  else conversation.turns.push({ role, content: [...blocks] });
}

const anthropicName = (name: unknown, namespace: unknown) => flatName(String(name ?? ""), str(namespace));

function conversationOf(items: readonly InputItem[], options: ResponsesTranslateOptions): Conversation {
  const conversation: Conversation = { turns: [], system: [] };
  for (const [i, item] of items.entries()) addItem(conversation, item as Record_, i, options);
  // Anthropic wants tool results first in their turn.
  for (const turn of conversation.turns) {
    if (turn.role !== "user") continue;
    const results = turn.content.filter((block) => block.type === "tool_result");
    if (results.length > 0) turn.content = [...results, ...turn.content.filter((block) => block.type !== "tool_result")];
  }
  return conversation;
}

/** One input item into the conversation: a message, a tool call or its output, reasoning to restore. */
function addItem(conversation: Conversation, item: Record_, i: number, options: ResponsesTranslateOptions): void {
  const param = `input[${i}]`;
  const type = item.type ?? "message";
  if (type === "item_reference") {
    badRequest(
      `${param}: item_reference ${JSON.stringify(item.id)} is not known to this maximize (it keeps recent responses for a while, in memory) — send the full input instead`,
      `${param}.id`,
    );
  }
  switch (type) {
    case "message": {
      const role = item.role;
      if (role === "system" || role === "developer") {
        const text = contentParts(item.content, `${param}.content`)
          .map((block) => String(block.text ?? ""))
          .join("\n");
        if (text.trim()) conversation.system.push(text);
        return;
      }
      if (role !== "user" && role !== "assistant") {
        badRequest(`${param}.role: must be user, assistant, system or developer`, `${param}.role`);
      }
      push(conversation, role, contentParts(item.content, `${param}.content`));
      return;
    }
    case "function_call":
    case "custom_tool_call": {
      // A function's arguments are JSON; a custom tool's input is free text, wrapped as { input }.
      const input =
        type === "function_call" ? parseArguments(str(item.arguments), `${param}.arguments`) : { input: String(item.input ?? "") };
      push(conversation, "assistant", [
        { type: "tool_use", id: toolId(String(item.call_id ?? "")), name: anthropicName(item.name, item.namespace), input },
      ]);
      return;
    }
    case "function_call_output":
    case "custom_tool_call_output":
      push(conversation, "user", [
        { type: "tool_result", tool_use_id: toolId(String(item.call_id ?? "")), content: toolOutput(item.output, `${param}.output`) },
      ]);
      return;
    case "reasoning": {
      const sealed = str(item.encrypted_content);
      const blocks = sealed ? options.openReasoning?.(sealed) : undefined;
      if (blocks) {
        push(conversation, "assistant", [...blocks]);
        return;
      }
      options.note?.(`${param}: a reasoning item maximize cannot restore (no or foreign encrypted_content) was left out`);
      return;
    }
    default:
      options.note?.(`${param}: a ${String(type)} item has no Claude equivalent and was left out`);
  }
}

// ---------------------------------------------------------------------------------------------------------------

function formatOf(request: ResponsesRequest, note: TranslateOptions["note"]) {
  const format = request.text?.format;
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_schema" as const, schema: { type: "object" } };
  return jsonSchemaFormat(format.schema ?? undefined, format.name ?? undefined, note);
}

export function fromResponsesRequest(
  request: ResponsesRequest,
  items: readonly InputItem[],
  options: ResponsesTranslateOptions = {},
): TranslatedResponses {
  const { tools, origins } = toolsOf(request, options.note);
  const conversation = conversationOf(items, options);
  if (conversation.turns.length === 0) badRequest("input: there is nothing to answer (no user message)", "input");
  const binding = bindThinking(conversation.turns, restoreThinking(conversation.turns, undefined), options);
  const asked = tools.length > 0 ? toolChoiceOf(request, origins) : undefined;
  const { toolChoice, instruction } = fitToolChoice(asked, options);
  const modelLimit = options.modelInfo?.max_tokens;
  const body: AnthropicRequestBody = {
    ...(request.model ? { model: request.model } : {}),
    max_tokens: request.max_output_tokens ?? defaultMaxTokens(options.model ?? request.model ?? "", modelLimit ?? undefined),
    messages: conversation.turns,
  };
  const system = [request.instructions ?? "", ...conversation.system, instruction ?? ""].filter((text) => text.trim() !== "").join("\n\n");
  if (system) body.system = system;
  if (request.stream) body.stream = true;
  const user = request.user || request.safety_identifier;
  if (user) body.metadata = { user_id: user };
  if (tools.length > 0) body.tools = allowedTools(tools, request) as AnthropicTool[];
  if (toolChoice) body.tool_choice = toolChoice;
  applyGeneration(
    body,
    {
      effort: request.reasoning?.effort ?? undefined,
      temperature: request.temperature,
      top_p: request.top_p,
      format: formatOf(request, options.note),
      binding,
    },
    options,
  );
  return { body, tools: origins };
}

/** The input as an item list: a string is one user message. */
export const inputItems = (request: ResponsesRequest): InputItem[] =>
  typeof request.input === "string" ? [{ type: "message", role: "user", content: request.input } as InputItem] : [...(request.input ?? [])];
