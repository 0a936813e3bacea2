/**
 * Anthropic Messages answer → OpenAI Responses API `Response` object (docs/PROTOCOL.md §7; shapes from the `openai`
 * package's resources/responses/responses.d.ts). Pure. The stream translator (stream.ts) builds its items and its final
 * object with the functions exported here, so a streamed answer and a whole one can never disagree.
 *
 * Blocks become output items in order:
 *   thinking / redacted_thinking (consecutive ones together) → one `reasoning` item, a summary part per non-empty thinking;
 *   text (consecutive ones together) → one `message` item, an `output_text` part per text block (a block boundary is a
 *     part boundary, so a stream never holds a part open across blocks, and Anthropic's citation splits stay visible);
 *   tool_use → `function_call` or `custom_tool_call` after the client's declaration; server web search → `web_search_call`;
 *   anything else → skipped, and it does not split the items around it.
 * A refusal stop adds a `refusal` part to the last message (or a message of its own).
 */
import { chatUsage, type AnthropicContentBlock, type AnthropicUsage } from "../response.ts";
import { asThinkingBlock } from "../thinking-cache.ts";
import type { ResponsesContext, ToolOrigin } from "./types.ts";

/** What is read of an Anthropic block: the Chat Completions fields plus the thinking ones (signature, data). */
export interface AnthropicBlock extends AnthropicContentBlock {
  signature?: string;
  data?: string;
}

/** An Anthropic answer as far as the Responses API needs it; `AnthropicMessage` (../response.ts) fits. */
export interface AnthropicAnswer {
  id?: string;
  model?: string;
  content?: AnthropicBlock[];
  stop_reason?: string | null;
  /** Set with stop_reason "refusal": `{type: "refusal", category, explanation}` (docs/PROTOCOL.md §3). */
  stop_details?: { explanation?: string | null } | null;
  usage?: AnthropicUsage;
}

export interface OutputText {
  type: "output_text";
  text: string;
  annotations: [];
  logprobs: [];
}

export interface OutputRefusal {
  type: "refusal";
  refusal: string;
}

export type ItemStatus = "in_progress" | "completed" | "incomplete";

export interface MessageItem {
  type: "message";
  id: string;
  role: "assistant";
  status: ItemStatus;
  content: (OutputText | OutputRefusal)[];
}

export interface SummaryText {
  type: "summary_text";
  text: string;
}

export interface ReasoningItem {
  type: "reasoning";
  id: string;
  summary: SummaryText[];
  /** The signed thinking, sealed by the route; only when the client asked (`include: ["reasoning.encrypted_content"]`). */
  encrypted_content?: string;
}

export interface FunctionCallItem {
  type: "function_call";
  id: string;
  call_id: string;
  name: string;
  namespace?: string;
  arguments: string;
  status: ItemStatus;
}

export interface CustomToolCallItem {
  type: "custom_tool_call";
  id: string;
  call_id: string;
  name: string;
  namespace?: string;
  input: string;
}

export interface WebSearchItem {
  type: "web_search_call";
  id: string;
  status: "in_progress" | "searching" | "completed" | "failed";
  action: { type: "search"; query?: string };
}

export type OutputItem = MessageItem | ReasoningItem | FunctionCallItem | CustomToolCallItem | WebSearchItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

/** Codes clients act on: Codex retries server_error and rate_limit_exceeded, stops on invalid_prompt and insufficient_quota. */
export type ResponseErrorCode = "server_error" | "rate_limit_exceeded" | "server_is_overloaded" | "invalid_prompt" | "insufficient_quota";

export interface ResponseError {
  code: ResponseErrorCode;
  message: string;
}

export interface IncompleteDetails {
  reason: "max_output_tokens" | "content_filter";
}

export interface ResponseObject {
  id: string;
  object: "response";
  created_at: number;
  status: ResponseStatus;
  error: ResponseError | null;
  incomplete_details: IncompleteDetails | null;
  model: string;
  output: OutputItem[];
  /** Every output_text joined: the SDKs compute it too, but plain-HTTP clients read it. */
  output_text: string;
  /** Absent while in progress, as OpenAI sends it. */
  usage?: ResponseUsage;
  /** The request fields echoed back (instructions, tools, tool_choice, metadata, temperature, …). */
  [echoed: string]: unknown;
}

/** The kind of output item a group of blocks becomes (see itemKind). */
export type ItemKind = OutputItem["type"];

/** What OpenAI answers for request fields the client left out (the openai SDK's Response marks them required). */
const ECHO_DEFAULTS: Readonly<Record<string, unknown>> = {
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
};

/** Shown when Anthropic refused without an explanation (stop_details.explanation is null for some categories). */
export const REFUSAL_FALLBACK = "Claude declined to continue this answer (Anthropic stop_reason: refusal).";

const ID_PREFIX: Readonly<Record<ItemKind, string>> = {
  message: "msg",
  reasoning: "rs",
  function_call: "fc",
  custom_tool_call: "ctc",
  web_search_call: "ws",
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The stem of every item id: the Anthropic message id (so logs on both sides line up), else the response id. */
export function idStem(messageId: string | undefined, ctx: Pick<ResponsesContext, "id">): string {
  return (typeof messageId === "string" && messageId.replace(/^msg_/, "")) || ctx.id.replace(/^resp_/, "");
}

/** Deterministic per answer: prefix as OpenAI uses it, the stem, the output index. */
export const itemId = (kind: ItemKind, stem: string, outputIndex: number) => `${ID_PREFIX[kind]}_${stem}_${outputIndex}`;

/** The client's tool behind an Anthropic tool name; a name it never declared is taken as a plain function. */
export function toolOrigin(name: unknown, ctx: Pick<ResponsesContext, "tools">): ToolOrigin {
  const key = typeof name === "string" ? name : "";
  return ctx.tools.get(key) ?? { name: key, kind: "function" };
}

/** The item kind of a block (by its type and name, both known at content_block_start). */
export function itemKind(block: AnthropicBlock, ctx: Pick<ResponsesContext, "tools">): ItemKind | undefined {
  switch (block.type) {
    case "thinking":
    case "redacted_thinking":
      return "reasoning";
    case "text":
    case "refusal":
      return "message";
    case "tool_use":
      return toolOrigin(block.name, ctx).kind === "custom" ? "custom_tool_call" : "function_call";
    case "server_tool_use":
      // Only web search has a Responses item; its web_search_tool_result block is skipped (the call says it happened).
      return block.name === "web_search" ? "web_search_call" : undefined;
    default:
      return undefined;
  }
}

/** Consecutive blocks of these kinds share one item; every tool call is an item of its own. */
export const joins = (kind: ItemKind) => kind === "message" || kind === "reasoning";

/** The refusal part of a refusal stop, as a block so that it groups like text (docs/PROTOCOL.md §3 stop_details). */
export function refusalBlock(stopDetails: AnthropicAnswer["stop_details"]): AnthropicBlock {
  const explanation = isRecord(stopDetails) && typeof stopDetails.explanation === "string" ? stopDetails.explanation : "";
  return { type: "refusal", text: explanation || REFUSAL_FALLBACK };
}

/** Tool input as a JSON text; a string is input that did not parse (a cut stream) and goes on as it came. */
export const argumentsText = (input: unknown) => (typeof input === "string" ? input : JSON.stringify(input ?? {}));

/** A custom tool's free-form text: the `input` property of the `{input: string}` object its Anthropic tool takes. */
export function customInput(input: unknown): string {
  if (typeof input === "string") return input;
  const value = isRecord(input) ? input.input : undefined;
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

const str = (value: unknown) => (typeof value === "string" ? value : "");

const toolFields = (block: AnthropicBlock, origin: ToolOrigin, id: string) => ({
  id,
  call_id: str(block.id),
  name: origin.name,
  ...(origin.namespace === undefined ? {} : { namespace: origin.namespace }),
});

/**
 * The finished item for a group of blocks (one block unless the kind joins). `status` is "incomplete" for the message
 * an answer cut short (max_tokens) stopped in; reasoning and custom tool items have no status.
 */
export function outputItem(
  kind: ItemKind,
  blocks: readonly AnthropicBlock[],
  id: string,
  ctx: ResponsesContext,
  status: ItemStatus,
): OutputItem {
  const [first = { type: "" }] = blocks;
  switch (kind) {
    case "reasoning": {
      const summary = blocks.flatMap((block): SummaryText[] =>
        block.type === "thinking" && str(block.thinking) ? [{ type: "summary_text", text: str(block.thinking) }] : [],
      );
      const sealable = blocks.flatMap((block) => asThinkingBlock(block) ?? []);
      const sealed = ctx.sealReasoning && sealable.length > 0 ? { encrypted_content: ctx.sealReasoning(sealable) } : {};
      return { type: "reasoning", id, summary, ...sealed };
    }
    case "message": {
      const content = blocks.map((block): OutputText | OutputRefusal =>
        block.type === "refusal"
          ? { type: "refusal", refusal: str(block.text) }
          : { type: "output_text", text: str(block.text), annotations: [], logprobs: [] },
      );
      return { type: "message", id, role: "assistant", status, content };
    }
    case "function_call":
      return {
        type: "function_call",
        ...toolFields(first, toolOrigin(first.name, ctx), id),
        arguments: argumentsText(first.input),
        status,
      };
    case "custom_tool_call":
      return { type: "custom_tool_call", ...toolFields(first, toolOrigin(first.name, ctx), id), input: customInput(first.input) };
    case "web_search_call": {
      const query = isRecord(first.input) && typeof first.input.query === "string" ? { query: first.input.query } : {};
      return { type: "web_search_call", id, status: "completed", action: { type: "search", ...query } };
    }
  }
}

/** Anthropic stop_reason → Response status; everything that is not a cut-short answer is "completed". */
export function responseStatus(stopReason: string | null | undefined): {
  status: "completed" | "incomplete";
  incomplete_details: IncompleteDetails | null;
} {
  // model_context_window_exceeded: the output ran out of room too; OpenAI has no closer reason.
  if (stopReason === "max_tokens" || stopReason === "model_context_window_exceeded") {
    return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  }
  return { status: "completed", incomplete_details: null };
}

/** input_tokens counts every input token, cached or not (the same arithmetic as Chat Completions' prompt_tokens). */
export function responseUsage(usage: AnthropicUsage | undefined): ResponseUsage {
  const chat = chatUsage(usage);
  return {
    input_tokens: chat.prompt_tokens,
    input_tokens_details: {
      cached_tokens: chat.prompt_tokens_details.cached_tokens,
      cache_write_tokens: usage?.cache_creation_input_tokens ?? 0,
    },
    output_tokens: chat.completion_tokens,
    output_tokens_details: { reasoning_tokens: chat.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: chat.total_tokens,
  };
}

/** All output_text parts joined, as the openai SDK computes `output_text`. */
export const outputText = (output: readonly OutputItem[]) =>
  output
    .flatMap((item) => (item.type === "message" ? item.content : []))
    .flatMap((part) => (part.type === "output_text" ? [part.text] : []))
    .join("");

export interface ResponseFields {
  status: ResponseStatus;
  model: string;
  output: OutputItem[];
  usage?: ResponseUsage;
  error?: ResponseError | null;
  incomplete_details?: IncompleteDetails | null;
}

/** The Response object around some output: the echoed request fields (OpenAI's defaults for the absent ones), then ours. */
export function responseObject(ctx: ResponsesContext, fields: ResponseFields): ResponseObject {
  const own = {
    id: ctx.id,
    object: "response" as const,
    created_at: ctx.createdAt,
    status: fields.status,
    error: fields.error ?? null,
    incomplete_details: fields.incomplete_details ?? null,
    model: fields.model,
    output: fields.output,
    output_text: outputText(fields.output),
    ...(fields.usage ? { usage: fields.usage } : {}),
  };
  // Ours first (key order as OpenAI writes it), echoed fields after, ours again so that the echo cannot replace them.
  return { ...own, ...ECHO_DEFAULTS, ...ctx.echo, ...own };
}

/** The blocks of an answer grouped into items, in order; the refusal of a refusal stop comes last. */
export function groupBlocks(message: AnthropicAnswer, ctx: ResponsesContext): { kind: ItemKind; blocks: AnthropicBlock[] }[] {
  const content = Array.isArray(message.content) ? message.content.filter(isRecord) : [];
  const blocks = message.stop_reason === "refusal" ? [...content, refusalBlock(message.stop_details)] : content;
  const groups: { kind: ItemKind; blocks: AnthropicBlock[] }[] = [];
  for (const block of blocks) {
    const kind = itemKind(block, ctx);
    if (!kind) continue;
    const last = groups.at(-1);
    if (last?.kind === kind && joins(kind)) last.blocks.push(block);
    else groups.push({ kind, blocks: [block] });
  }
  return groups;
}

export function toResponse(message: AnthropicAnswer, ctx: ResponsesContext): ResponseObject {
  const stem = idStem(message.id, ctx);
  const { status, incomplete_details } = responseStatus(message.stop_reason);
  const groups = groupBlocks(message, ctx);
  const output = groups.map(({ kind, blocks }, index) => {
    // The item the answer stopped in: only a message or reasoning item is still open then in a stream (stream.ts).
    const cutShort = status === "incomplete" && index === groups.length - 1 && joins(kind);
    return outputItem(kind, blocks, itemId(kind, stem, index), ctx, cutShort ? "incomplete" : "completed");
  });
  return responseObject(ctx, {
    status,
    incomplete_details,
    model: (typeof message.model === "string" && message.model) || ctx.model,
    output,
    usage: responseUsage(message.usage),
  });
}
