/**
 * The Anthropic side of the OpenAI translators (Chat Completions and Responses): the Messages body they build, and
 * the pieces both need — content blocks, tool arguments, the thinking bound to tool loops, forced tool choice on
 * models that always think, reasoning effort, sampling and structured output (docs/PROTOCOL.md §4/§5/§7). Pure.
 */
import { thinkingTypes, type Effort, type ModelInfo } from "../models/info.ts";
import { toAnthropicSchema } from "./json-schema.ts";
import { ANSWER_ROOM, planReasoning, type ThinkingParam } from "./reasoning.ts";
import { badRequest, type ReasoningEffort } from "./schema.ts";
import type { ThinkingBlock } from "./thinking-cache.ts";

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

/**
 * Whether thinking may be turned on: not with a forced tool choice (Anthropic refuses that), and not on a turn that
 * answers tool calls whose thinking could not be put back (Anthropic would want it).
 */
export function thinkingAllowed(toolChoice: AnthropicToolChoice | undefined, binding: ThinkingBinding): boolean {
  if (toolChoice?.type === "any" || toolChoice?.type === "tool") return false;
  return binding !== "missing";
}

/**
 * A forced tool choice on a model that always thinks: Anthropic refuses forced tool use with thinking on, so the
 * choice becomes `auto` and the system prompt asks for the call instead (the debug log says so).
 */
export function fitToolChoice(
  choice: AnthropicToolChoice | undefined,
  options: Pick<TranslateOptions, "modelInfo" | "note">,
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
export type ThinkingBinding = "no tool results" | "restored" | "missing";

const isToolUse = (block: AnthropicBlock) => block.type === "tool_use";

/** Puts remembered thinking back at the start of each assistant turn that made tool calls. */
export function restoreThinking(turns: AnthropicMessageParam[], recall: TranslateOptions["recallThinking"] | undefined): ThinkingBinding {
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
export function flattenLastToolExchange(turns: AnthropicMessageParam[]): void {
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

/**
 * A model that always thinks needs the thinking of the tool calls a request answers; when it is gone (restart,
 * eviction, another proxy), the last tool exchange is told as text rather than failing the request.
 */
export function bindThinking(
  turns: AnthropicMessageParam[],
  binding: ThinkingBinding,
  options: Pick<TranslateOptions, "modelInfo" | "note">,
): ThinkingBinding {
  if (binding !== "missing" || thinkingTypes(options.modelInfo)?.disabled !== false) return binding;
  flattenLastToolExchange(turns);
  options.note?.("the thinking of the last tool calls is no longer known: their exchange was sent as text");
  return binding;
}

/** A JSON schema as Anthropic's structured output (`output_config.format`), adapted to what it accepts. */
export function jsonSchemaFormat(schema: Record<string, unknown> | undefined, name: string | undefined, note?: (message: string) => void) {
  const adapted = toAnthropicSchema(schema ?? { type: "object" });
  if (adapted.moved.length > 0) {
    note?.(`schema ${name ?? ""}: moved into descriptions (Anthropic refuses them as constraints): ${adapted.moved.join(", ")}`);
  }
  return { type: "json_schema" as const, schema: adapted.schema };
}

export interface Generation {
  effort: ReasoningEffort | undefined;
  temperature: number | null | undefined;
  top_p: number | null | undefined;
  format: { type: "json_schema"; schema: Record<string, unknown> } | undefined;
  binding: ThinkingBinding;
}

/**
 * Thinking, effort, structured output and sampling on a body whose messages, tools and tool choice are set: what the
 * model and API version accept (anything left out is told to `note`).
 */
export function applyGeneration(body: AnthropicRequestBody, generation: Generation, options: TranslateOptions): AnthropicRequestBody {
  const plan = planReasoning(generation.effort, {
    model: options.modelInfo,
    version: options.version,
    thinkingAllowed: thinkingAllowed(body.tool_choice, generation.binding),
  });
  for (const note of plan.notes) options.note?.(note);
  if (plan.thinking) body.thinking = plan.thinking;
  if (plan.effort) body.output_config = { effort: plan.effort };
  if (generation.format) body.output_config = { ...body.output_config, format: generation.format };
  // Anthropic needs max_tokens > budget_tokens.
  if (plan.thinking?.type === "enabled" && body.max_tokens <= plan.thinking.budget_tokens) {
    body.max_tokens = plan.thinking.budget_tokens + ANSWER_ROOM;
  }
  if (!plan.sampling) {
    if (generation.temperature != null || generation.top_p != null) {
      options.note?.(
        `temperature/top_p left out: ${options.modelInfo?.id ?? "the model"} (or anthropic-version ${options.version ?? "-"}, or thinking) does not take them`,
      );
    }
    return body;
  }
  // OpenAI's temperature runs 0–2, Anthropic's 0–1. Newer Claude models refuse temperature and top_p together:
  // temperature wins.
  if (generation.temperature != null) body.temperature = Math.min(generation.temperature, 1);
  if (generation.top_p != null && generation.temperature == null) body.top_p = generation.top_p;
  return body;
}

// ---------------------------------------------------------------------------------------------------------------
// content

/** Anthropic refuses empty and whitespace-only text blocks. */
export const textBlock = (text: string): AnthropicBlock[] => (text.trim() === "" ? [] : [{ type: "text", text }]);

/** Anthropic tool ids must match ^[a-zA-Z0-9_-]+$; ids from other providers may not. Same map both ways. */
export const toolId = (id: string) => id.replace(/[^a-zA-Z0-9_-]/g, "_");

/** Tool-call arguments: a JSON object in a string; empty means no arguments. */
export function parseArguments(text: string | null | undefined, param: string): Record<string, unknown> {
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

export function imageSource(url: string, param: string): Record<string, unknown> {
  if (/^https?:\/\//i.test(url)) return { type: "url", url };
  const match = DATA_URL.exec(url);
  if (!match) badRequest(`${param}: an image must be an http(s) URL or a base64 data URL (data:image/png;base64,…)`, param);
  const [, mediaType = "", , base64, data = ""] = match;
  if (!base64) badRequest(`${param}: image data URLs must be base64-encoded`, param);
  return { type: "base64", media_type: mediaType.toLowerCase(), data };
}

export function fileBlock(
  file: { file_data?: string | null; file_id?: string | null; filename?: string | null },
  param: string,
): AnthropicBlock {
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
