/**
 * OpenAI Chat Completions request → Anthropic Messages request (docs/PROTOCOL.md §5). Pure: no I/O, no config.
 * The model stays as the client named it (the route resolves nicknames once, for both this and the upstream call),
 * and no Claude Code identity is added here either.
 */
import { thinkingTypes, type Effort, type ModelInfo } from "../models/info.ts";
import type { ThinkingBlock } from "./thinking-cache.ts";
import { toAnthropicSchema } from "./json-schema.ts";
import { ANSWER_ROOM, planReasoning, type ThinkingParam } from "./reasoning.ts";
import {
  badRequest,
  parseChatRequest,
  type ChatMessage,
  type ChatRequest,
  type FunctionDefinition,
  type ToolCall,
  type UserPart,
} from "./schema.ts";

export type AnthropicBlock = { type: string } & Record<string, unknown>;
export type AnthropicMessageParam = { role: "user" | "assistant"; content: AnthropicBlock[] };
export type AnthropicTool = { name: string; description?: string; input_schema: Record<string, unknown> };
export type AnthropicToolChoice =
  | { type: "auto" | "any"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean }
  | { type: "none" };

/** A type alias (not an interface) so it is assignable to `Record<string, unknown>` for the upstream call. */
export type AnthropicRequestBody = {
  model?: string;
  max_tokens: number;
  messages: AnthropicMessageParam[];
  system?: string;
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  metadata?: { user_id: string };
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  thinking?: ThinkingParam;
  output_config?: { effort?: Effort; format?: { type: "json_schema"; schema: Record<string, unknown> } };
};

export interface TranslateOptions {
  /** The model the request will reach (its nickname resolved): for the default max_tokens. */
  model?: string;
  /** The catalogue's entry for it: which thinking types, efforts and sampling parameters it takes. */
  modelInfo?: ModelInfo;
  /** The client's anthropic-version header, if it sent one. */
  version?: string | null;
  /** Told what was dropped or adapted (the route writes it to the debug log). */
  note?: (message: string) => void;
  /** The signed thinking an earlier answer carried with this tool call (see thinking-cache.ts). */
  recallThinking?: (toolCallId: string) => readonly ThinkingBlock[] | undefined;
}

const DEFAULT_MAX_TOKENS = 8192;

/**
 * Default `max_tokens` when the client sends neither max_completion_tokens nor max_tokens (Anthropic requires one).
 * 8192 for models that can write that much — every named line (haiku, sonnet, opus, fable, mythos) from Claude 4
 * on, and Claude 3.5/3.7 — and 4096, the largest value every model accepts, for names we do not recognise. A model
 * the catalogue describes goes by its `max_tokens` instead of its name.
 */
export function defaultMaxTokens(model: string, modelLimit?: number): number {
  // The catalogue says what the model can write: up to 8192 of it (a default, not a target).
  if (modelLimit !== undefined) return Math.min(DEFAULT_MAX_TOKENS, modelLimit);
  return /^claude-(?:3-[5-9]-|(?:opus|sonnet|haiku|fable|mythos)-(?:[4-9]|\d{2})|(?:[4-9]|\d{2})[-.])/.test(model)
    ? DEFAULT_MAX_TOKENS
    : 4096;
}

export function toAnthropicRequest(body: unknown, options: TranslateOptions = {}): AnthropicRequestBody {
  return fromChatRequest(parseChatRequest(body), options);
}

/** True when the client uses the legacy `functions` API (and so expects `function_call` back, not `tool_calls`). */
export function usesLegacyFunctions(chat: ChatRequest): boolean {
  return !chat.tools?.length && (chat.functions?.length ?? 0) > 0;
}

export function fromChatRequest(chat: ChatRequest, options: TranslateOptions = {}): AnthropicRequestBody {
  if (chat.n != null && chat.n > 1) {
    badRequest(
      `n: ${chat.n} is not supported: Claude returns one choice per request; omit n (or send 1) and send several requests instead`,
      "n",
    );
  }
  const legacy = usesLegacyFunctions(chat);
  const messages = conversation(chat.messages);
  const binding = restoreThinking(messages, options.recallThinking);
  if (binding === "missing" && thinkingTypes(options.modelInfo)?.disabled === false) {
    // The model always thinks, so Anthropic will want the thinking back, and it is gone (restart, eviction, another
    // proxy): tell the last tool exchange as text rather than fail the request.
    flattenLastToolExchange(messages);
    options.note?.("the thinking of the last tool calls is no longer known: their exchange was sent as text");
  }
  const tools = legacy ? legacyTools(chat.functions ?? []) : toolsOf(chat);
  const asked = tools.length > 0 ? toolChoiceOf(chat, legacy) : undefined;
  const { toolChoice, instruction } = fitToolChoice(asked, options);
  const family = options.model ?? chat.model ?? "";
  const modelLimit = options.modelInfo?.max_tokens;

  const body: AnthropicRequestBody = {
    ...(chat.model ? { model: chat.model } : {}),
    max_tokens: chat.max_completion_tokens ?? chat.max_tokens ?? defaultMaxTokens(family, modelLimit ?? undefined),
    messages,
  };
  const system = [systemPrompt(chat.messages), instruction].filter(Boolean).join("\n\n");
  if (system) body.system = system;
  if (chat.stream) body.stream = true;
  const stop = typeof chat.stop === "string" ? [chat.stop] : (chat.stop ?? []);
  if (stop.some((s) => s !== "")) body.stop_sequences = stop.filter((s) => s !== "");
  const user = chat.user || chat.safety_identifier;
  if (user) body.metadata = { user_id: user };
  if (tools.length > 0) body.tools = allowedTools(tools, chat);
  if (toolChoice) body.tool_choice = toolChoice;

  const plan = planReasoning(chat.reasoning_effort ?? undefined, {
    model: options.modelInfo,
    version: options.version,
    thinkingAllowed: thinkingAllowed(toolChoice, binding),
  });
  for (const note of plan.notes) options.note?.(note);
  if (plan.thinking) body.thinking = plan.thinking;
  if (plan.effort) body.output_config = { effort: plan.effort };
  const format = outputFormat(chat.response_format, options.note);
  if (format) body.output_config = { ...body.output_config, format };
  // Anthropic needs max_tokens > budget_tokens.
  if (plan.thinking?.type === "enabled" && body.max_tokens <= plan.thinking.budget_tokens) {
    body.max_tokens = plan.thinking.budget_tokens + ANSWER_ROOM;
  }
  if (!plan.sampling) {
    if (chat.temperature != null || chat.top_p != null)
      options.note?.(
        `temperature/top_p left out: ${options.modelInfo?.id ?? "the model"} (or anthropic-version ${options.version ?? "-"}, or thinking) does not take them`,
      );
    return body;
  }
  // OpenAI's temperature runs 0–2, Anthropic's 0–1. Newer Claude models refuse temperature and top_p together:
  // temperature wins.
  if (chat.temperature != null) body.temperature = Math.min(chat.temperature, 1);
  if (chat.top_p != null && chat.temperature == null) body.top_p = chat.top_p;
  return body;
}

/**
 * response_format → Anthropic's structured output: a json_schema (adapted to what Anthropic accepts) as is, and
 * json_object as a schema that asks for any object; text asks for nothing.
 */
function outputFormat(format: ChatRequest["response_format"], note?: (message: string) => void) {
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_schema" as const, schema: { type: "object" } };
  const schema = format.json_schema.schema ?? { type: "object" };
  const adapted = toAnthropicSchema(schema);
  if (adapted.moved.length > 0)
    note?.(
      `response_format ${format.json_schema.name ?? ""}: moved into descriptions (Anthropic refuses them as constraints): ${adapted.moved.join(", ")}`,
    );
  return { type: "json_schema" as const, schema: adapted.schema };
}

/**
 * Whether thinking may be turned on: not with a forced tool choice (Anthropic refuses that), and not on a turn that
 * answers tool calls whose thinking could not be put back (Anthropic would want it).
 */
function thinkingAllowed(toolChoice: AnthropicToolChoice | undefined, binding: ThinkingBinding): boolean {
  if (toolChoice?.type === "any" || toolChoice?.type === "tool") return false;
  return binding !== "missing";
}

/**
 * A forced tool choice on a model that always thinks: Anthropic refuses forced tool use with thinking on, so the
 * choice becomes `auto` and the system prompt asks for the call instead (the debug log says so).
 */
function fitToolChoice(
  choice: AnthropicToolChoice | undefined,
  options: TranslateOptions,
): { toolChoice?: AnthropicToolChoice; instruction?: string } {
  const forced = choice?.type === "any" || choice?.type === "tool";
  if (!choice || !forced || thinkingTypes(options.modelInfo)?.disabled !== false) return { toolChoice: choice };
  const which = choice.type === "tool" ? `the ${choice.name} tool` : "one of the tools";
  options.note?.(
    `tool_choice ${choice.type === "tool" ? choice.name : "required"}: ${options.modelInfo?.id} always thinks and cannot be forced to call a tool; asked for it in the system prompt`,
  );
  const auto: AnthropicToolChoice = { type: "auto", ...(choice.disable_parallel_tool_use ? { disable_parallel_tool_use: true } : {}) };
  return { toolChoice: auto, instruction: `Answer this request by calling ${which}.` };
}

/** Whether the request ends by answering tool calls and, if so, whether their thinking is in front of them. */
type ThinkingBinding = "no tool results" | "restored" | "missing";

const isToolUse = (block: AnthropicBlock) => block.type === "tool_use";

/** Puts remembered thinking back at the start of each assistant turn that made tool calls. */
function restoreThinking(turns: AnthropicMessageParam[], recall: TranslateOptions["recallThinking"]): ThinkingBinding {
  for (const turn of turns) {
    if (turn.role !== "assistant") continue;
    const blocks = turn.content
      .filter(isToolUse)
      .map((block) => recall?.(String(block.id)))
      .find((found) => found !== undefined);
    if (blocks) turn.content = [...blocks, ...turn.content];
  }
  const [assistant, last] = turns.slice(-2);
  if (last?.role !== "user" || !last.content.some((block) => block.type === "tool_result") || !assistant?.content.some(isToolUse)) {
    return "no tool results";
  }
  return assistant.content[0]?.type === "thinking" || assistant.content[0]?.type === "redacted_thinking" ? "restored" : "missing";
}

/** The last assistant tool calls and the results answering them, told as text. */
function flattenLastToolExchange(turns: AnthropicMessageParam[]): void {
  const [assistant, last] = turns.slice(-2) as [AnthropicMessageParam, AnthropicMessageParam];
  assistant.content = assistant.content.map((block) =>
    isToolUse(block)
      ? { type: "text", text: `[called tool ${String(block.name)} with ${JSON.stringify(block.input)} (id ${String(block.id)})]` }
      : block,
  );
  last.content = last.content.map((block) =>
    block.type === "tool_result"
      ? { type: "text", text: `[result of tool call ${String(block.tool_use_id)}]: ${toolResultText(block.content)}` }
      : block,
  );
}

const toolResultText = (content: unknown) =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((part) => (part as { text?: string }).text ?? "").join("\n")
      : "";

// ---------------------------------------------------------------------------------------------------------------
// messages

/** system and developer messages, wherever they appear, joined into the top-level system prompt. */
function systemPrompt(messages: ChatMessage[]): string {
  return messages
    .flatMap((message) => (message.role === "system" || message.role === "developer" ? [textOf(message.content)] : []))
    .filter((text) => text.trim() !== "")
    .join("\n\n");
}

function textOf(content: string | readonly { text: string }[] | null | undefined): string {
  if (content == null) return "";
  return typeof content === "string" ? content : content.map((part) => part.text).join("\n");
}

/** Anthropic refuses empty and whitespace-only text blocks. */
const textBlock = (text: string): AnthropicBlock[] => (text.trim() === "" ? [] : [{ type: "text", text }]);

/** Anthropic tool ids must match ^[a-zA-Z0-9_-]+$; ids from other providers may not. Same map both ways. */
const toolId = (id: string) => id.replace(/[^a-zA-Z0-9_-]/g, "_");

/**
 * The conversation as Anthropic turns: consecutive messages of one role merged (so consecutive `tool` messages
 * become one user turn of tool_results), tool_results first in their turn as Anthropic requires, empty turns dropped.
 */
function conversation(messages: ChatMessage[]): AnthropicMessageParam[] {
  const turns: AnthropicMessageParam[] = [];
  const legacyCalls: { name: string; id: string }[] = [];
  messages.forEach((message, i) => {
    const turn = turnOf(message, i, legacyCalls);
    if (!turn || turn.content.length === 0) return;
    const previous = turns.at(-1);
    if (previous?.role === turn.role) previous.content.push(...turn.content);
    else turns.push(turn);
  });
  for (const turn of turns) {
    if (turn.role !== "user") continue;
    const results = turn.content.filter((block) => block.type === "tool_result");
    if (results.length > 0) turn.content = [...results, ...turn.content.filter((block) => block.type !== "tool_result")];
  }
  return turns;
}

function turnOf(message: ChatMessage, i: number, legacyCalls: { name: string; id: string }[]): AnthropicMessageParam | undefined {
  switch (message.role) {
    case "system":
    case "developer":
      return undefined;
    case "user":
      return {
        role: "user",
        content:
          typeof message.content === "string"
            ? textBlock(message.content)
            : message.content.flatMap((part, j) => userPart(part, `messages[${i}].content[${j}]`)),
      };
    case "assistant": {
      const content =
        typeof message.content === "string" || message.content == null
          ? textBlock(message.content ?? "")
          : message.content.flatMap((part) => textBlock(part.type === "text" ? part.text : part.refusal));
      const calls = (message.tool_calls ?? []).map((call, j) => toolUse(call, `messages[${i}].tool_calls[${j}]`));
      if (message.function_call) {
        const id = `call_legacy_${i}`;
        legacyCalls.push({ name: message.function_call.name, id });
        const input = parseArguments(message.function_call.arguments, `messages[${i}].function_call.arguments`);
        calls.push({ type: "tool_use", id, name: message.function_call.name, input });
      }
      return { role: "assistant", content: [...content, ...calls] };
    }
    case "tool":
      return {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: toolId(message.tool_call_id), content: textOf(message.content) }],
      };
    case "function": {
      const at = legacyCalls.findIndex((call) => call.name === message.name);
      const call = at === -1 ? undefined : legacyCalls.splice(at, 1)[0];
      if (!call)
        badRequest(
          `messages[${i}]: a function message for ${JSON.stringify(message.name)} with no assistant function_call before it`,
          `messages[${i}]`,
        );
      return { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: message.content ?? "" }] };
    }
  }
}

function toolUse(call: ToolCall, param: string): AnthropicBlock {
  if (call.type === "custom") badRequest(`${param}: custom tool calls are not supported; use function tools`, `${param}.type`);
  return {
    type: "tool_use",
    id: toolId(call.id),
    name: call.function.name,
    input: parseArguments(call.function.arguments, `${param}.function.arguments`),
  };
}

/** Tool-call arguments: a JSON object in a string; empty means no arguments. */
function parseArguments(text: string | null | undefined, param: string): Record<string, unknown> {
  if (text == null || text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    badRequest(`${param}: not valid JSON: ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}`, param);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    badRequest(`${param}: must be a JSON object`, param);
  }
  return value as Record<string, unknown>;
}

const DATA_URL = /^data:([^;,]+)((?:;[^;,=]+=[^;,]*)*)(;base64)?,(.*)$/s;

function userPart(part: UserPart, param: string): AnthropicBlock[] {
  switch (part.type) {
    case "text":
      return textBlock(part.text);
    case "image_url":
      return [{ type: "image", source: imageSource(part.image_url.url, `${param}.image_url.url`) }];
    case "file":
      return [fileBlock(part.file, `${param}.file`)];
    case "input_audio":
      return badRequest(`${param}: audio input is not supported by Claude`, `${param}.type`);
  }
}

function imageSource(url: string, param: string): Record<string, unknown> {
  if (/^https?:\/\//i.test(url)) return { type: "url", url };
  const match = DATA_URL.exec(url);
  if (!match) badRequest(`${param}: an image must be an http(s) URL or a base64 data URL (data:image/png;base64,…)`, param);
  const [, mediaType = "", , base64, data = ""] = match;
  if (!base64) badRequest(`${param}: image data URLs must be base64-encoded`, param);
  return { type: "base64", media_type: mediaType.toLowerCase(), data };
}

function fileBlock(file: { file_data?: string | null; file_id?: string | null; filename?: string | null }, param: string): AnthropicBlock {
  if (!file.file_data) {
    return badRequest(
      `${param}: file_id refers to OpenAI file storage, which Claude cannot read; send the file inline as file_data`,
      `${param}.file_id`,
    );
  }
  const match = DATA_URL.exec(file.file_data);
  const [, mediaType = "", , base64, data = ""] = match ?? [];
  if (!match || !base64 || mediaType.toLowerCase() !== "application/pdf") {
    return badRequest(
      `${param}.file_data: only PDF files are supported, as a data URL (data:application/pdf;base64,…)`,
      `${param}.file_data`,
    );
  }
  return {
    type: "document",
    source: { type: "base64", media_type: "application/pdf", data },
    ...(file.filename ? { title: file.filename } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// tools

function toolDefinition(fn: FunctionDefinition): AnthropicTool {
  const parameters = fn.parameters ?? {};
  return {
    name: fn.name,
    ...(fn.description ? { description: fn.description } : {}),
    // Anthropic needs an object schema; OpenAI allows omitting it for a function without parameters.
    input_schema: { ...parameters, type: parameters.type ?? "object", ...(parameters.properties ? {} : { properties: {} }) },
  };
}

function toolsOf(chat: ChatRequest): AnthropicTool[] {
  return (chat.tools ?? []).map((tool, i) => {
    if (tool.type === "custom") badRequest(`tools[${i}]: custom tools are not supported; use function tools`, `tools[${i}].type`);
    return toolDefinition(tool.function);
  });
}

const legacyTools = (functions: FunctionDefinition[]) => functions.map(toolDefinition);

/** `tool_choice: {type:"allowed_tools"}` narrows the tool list sent upstream. */
function allowedTools(tools: AnthropicTool[], chat: ChatRequest): AnthropicTool[] {
  const choice = chat.tool_choice;
  if (typeof choice !== "object" || choice === null || choice.type !== "allowed_tools") return tools;
  const names = new Set(
    choice.allowed_tools.tools.flatMap((tool) => {
      const name = (tool as { function?: { name?: unknown } } | null)?.function?.name;
      return typeof name === "string" ? [name] : [];
    }),
  );
  return tools.filter((tool) => names.has(tool.name));
}

function toolChoiceOf(chat: ChatRequest, legacy: boolean): AnthropicToolChoice | undefined {
  const choice = legacy ? legacyChoice(chat.function_call) : modernChoice(chat.tool_choice);
  // Legacy function calling answers with one function_call, so one tool use at most.
  const single = legacy || chat.parallel_tool_calls === false;
  if (!single || choice?.type === "none") return choice;
  return { ...(choice ?? { type: "auto" }), disable_parallel_tool_use: true };
}

function legacyChoice(choice: ChatRequest["function_call"]): AnthropicToolChoice | undefined {
  if (choice == null) return undefined;
  if (typeof choice === "string") return { type: choice };
  return { type: "tool", name: choice.name };
}

function modernChoice(choice: ChatRequest["tool_choice"]): AnthropicToolChoice | undefined {
  if (choice == null) return undefined;
  if (choice === "required") return { type: "any" };
  if (typeof choice === "string") return { type: choice };
  if (choice.type === "function") return { type: "tool", name: choice.function.name };
  if (choice.type === "allowed_tools") return { type: choice.allowed_tools.mode === "required" ? "any" : "auto" };
  return badRequest("tool_choice: custom tools are not supported; use function tools", "tool_choice");
}
