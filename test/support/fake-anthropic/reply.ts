/** The fake's deterministic answers: what the model "says" for a validated request, or what a test scripted. */
import { isRecord, type JsonObject } from "./guards.ts";
import { sha256 } from "./random.ts";
import type { Block, Message, ParsedRequest, ToolDef } from "./request.ts";
import { thinkingBlock, thinks, type ThinkingMode } from "./thinking.ts";
import type { ScriptFault, ScriptedEvent } from "./types.ts";

export type TextBlock = { type: "text"; text: string };
export type ThinkingBlock = { type: "thinking"; thinking: string; signature: string };
export type ToolUseBlock = { type: "tool_use"; id: string; name: string; input: JsonObject };
/** Any content block, including types the fake does not know (a script may send them). */
export type OutputBlock = JsonObject & { type: string };

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
  /** Present when the model thought: how many of output_tokens were reasoning. */
  output_tokens_details?: { thinking_tokens: number };
}

export interface Reply {
  model: string;
  content: OutputBlock[];
  /** end_turn, max_tokens, stop_sequence, tool_use — or whatever a script says (refusal, pause_turn, …). */
  stop_reason: string;
  stop_sequence: string | null;
  stop_details: unknown;
  usage: Usage;
  /** Scripted SSE events with names the SDK may not know, spliced into the stream. */
  extraEvents: ScriptedEvent[];
}

const text = (value: string): TextBlock => ({ type: "text", text: value });

export function buildReply(req: ParsedRequest): Reply {
  const { answer, thinkingText } = answerFor(req);
  return {
    model: req.model,
    ...answer,
    stop_details: null,
    usage: usageFor(req, answer.content, thinkingText),
    extraEvents: [],
  };
}

/** A test's script replaces what the model says, not the request's validation or usage accounting. */
export function scriptedReply(req: ParsedRequest, script: ScriptFault): Reply {
  const content = script.content.map((block) => ({ ...block }));
  const hasToolUse = content.some((block) => block.type === "tool_use");
  const thinkingText = content
    .filter((block) => block.type === "thinking")
    .map((block) => String(block.thinking ?? ""))
    .join("");
  return {
    model: req.model,
    content,
    stop_reason: script.stop_reason ?? (hasToolUse ? "tool_use" : "end_turn"),
    stop_sequence: script.stop_sequence ?? null,
    stop_details: script.stop_details ?? null,
    usage: { ...usageFor(req, content, thinkingText), ...script.usage },
    extraEvents: script.extraEvents ?? [],
  };
}

/** The full message object of a non-streaming answer. */
export function messageJson(id: string, reply: Reply) {
  return {
    id,
    type: "message",
    role: "assistant",
    model: reply.model,
    content: reply.content,
    stop_reason: reply.stop_reason,
    stop_sequence: reply.stop_sequence,
    stop_details: reply.stop_details,
    usage: reply.usage,
  };
}

type Answer = Pick<Reply, "content" | "stop_reason" | "stop_sequence">;

function answerFor(req: ParsedRequest): { answer: Answer; thinkingText: string } {
  const last = lastUserContent(req.messages);
  const results = last.filter((block) => block.type === "tool_result");
  const tool = results.length === 0 ? chosenTool(req) : undefined;
  const said = tool ? `I'll use the ${tool.name} tool.` : replyText(req, last, results);
  if (req.maxTokens !== undefined && req.maxTokens < 5) {
    const content = [text(said.slice(0, req.maxTokens * 4))];
    return { answer: { content, stop_reason: "max_tokens", stop_sequence: null }, thinkingText: "" };
  }
  const thinkingText = thoughtFor(req.model, req.thinking, results.length > 0);
  const thinking = thinkingText === "" ? [] : [thinkingBlock(thinkingText, displayOf(req.thinking))];
  if (tool) {
    const use = toolUse(tool, req.messages.length);
    const content = [...thinking, text(said), use];
    return { answer: { content, stop_reason: "tool_use", stop_sequence: null }, thinkingText };
  }
  const stop = firstStopSequence(said, req.stopSequences);
  if (!stop) {
    return { answer: { content: [...thinking, text(said)], stop_reason: "end_turn", stop_sequence: null }, thinkingText };
  }
  const cut = said.slice(0, stop.index);
  const content = cut === "" ? thinking : [...thinking, text(cut)];
  return { answer: { content, stop_reason: "stop_sequence", stop_sequence: stop.sequence }, thinkingText };
}

/**
 * What the model thinks: a sentence when thinking is on; with between_tools only a short progress update after a
 * tool result (thinking is otherwise off there); nothing otherwise.
 */
function thoughtFor(model: string, mode: ThinkingMode, afterToolResult: boolean): string {
  if (thinks(mode)) return `The user wants an answer from ${model}. I will reply briefly.`;
  if (mode.type === "between_tools" && afterToolResult) return "Got the tool result; writing the answer.";
  return "";
}

const displayOf = (mode: ThinkingMode) => (thinks(mode) ? mode.display : "summarized");

function lastUserContent(messages: Message[]): Block[] {
  return messages.findLast((message) => message.role === "user")?.content ?? [];
}

function textOf(blocks: unknown): string {
  if (typeof blocks === "string") return blocks;
  if (!Array.isArray(blocks)) return "";
  return blocks
    .filter((block) => isRecord(block) && block.type === "text")
    .map((block) => (isRecord(block) ? String(block.text) : ""))
    .join("\n");
}

function replyText(req: ParsedRequest, last: Block[], results: Block[]): string {
  if (req.output.schema) return JSON.stringify(exampleObject(req.output.schema));
  if (results.length > 0) return `Tool result received: ${results.map((r) => textOf(r.content)).join("; ")}`;
  const image = last.find((block) => block.type === "image");
  if (image) {
    const source = isRecord(image.source) ? image.source : {};
    return `I see a ${source.type === "url" ? "url" : String(source.media_type)} image.`;
  }
  return `Hello from ${req.model}! You said: ${textOf(last)}`;
}

function chosenTool(req: ParsedRequest): ToolDef | undefined {
  const choice = req.toolChoice;
  if (choice?.type === "none") return undefined;
  const custom = req.tools.filter((tool) => tool.input_schema !== undefined);
  if (choice?.type === "tool") return custom.find((tool) => tool.name === choice.name);
  return custom[0];
}

function toolUse(tool: ToolDef, turn: number): ToolUseBlock {
  const id = `toolu_01${sha256(`${tool.name}:${turn}`, "hex").slice(0, 22)}`;
  return { type: "tool_use", id, name: tool.name, input: exampleObject(tool.input_schema ?? {}) };
}

/** An input built from a JSON schema: strings "example", numbers 42, booleans true, enums their first value. */
export function exampleObject(schema: JsonObject): JsonObject {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, exampleValue(value)]));
}

function exampleValue(schema: unknown): unknown {
  if (!isRecord(schema)) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === "string") return "example";
  if (type === "number" || type === "integer") return 42;
  if (type === "boolean") return true;
  if (type === "array") return schema.items === undefined ? [] : [exampleValue(schema.items)];
  if (type === "object") return exampleObject(schema);
  return null;
}

function firstStopSequence(said: string, sequences: string[]) {
  const hits = sequences
    .map((sequence) => ({ sequence, index: sequence === "" ? -1 : said.indexOf(sequence) }))
    .filter((hit) => hit.index >= 0);
  return hits.sort((a, b) => a.index - b.index)[0];
}

/** Visible size of a block: its text, or its JSON for tool calls and blocks the fake does not know. */
function blockLength(block: OutputBlock): number {
  if (block.type === "text") return String(block.text ?? "").length;
  if (block.type === "thinking") return 0; // counted from the full thought (an omitted display shows none of it)
  if (block.type === "tool_use") return JSON.stringify(block.input).length + String(block.name).length;
  return JSON.stringify(block).length;
}

function usageFor(req: ParsedRequest, content: OutputBlock[], thinkingText: string): Usage {
  const chars = content.reduce((sum, block) => sum + blockLength(block), 0);
  const thinkingTokens = thinkingText === "" ? 0 : Math.ceil(thinkingText.length / 4);
  const total = Math.max(1, Math.ceil(chars / 4) + thinkingTokens);
  const output = req.maxTokens === undefined ? total : Math.min(total, req.maxTokens);
  const usage: Usage = {
    input_tokens: req.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: req.cacheMarkers > 0 ? Math.max(1, Math.floor(req.inputTokens / 2)) : 0,
    output_tokens: output,
  };
  if (thinkingTokens > 0) usage.output_tokens_details = { thinking_tokens: Math.min(thinkingTokens, output) };
  return usage;
}
