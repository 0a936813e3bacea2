/** The fake's deterministic answers: what the model "says" for a validated request. */
import { isRecord, type JsonObject } from "./guards.ts";
import { sha256 } from "./random.ts";
import type { Block, Message, ParsedRequest, ToolDef } from "./request.ts";

export type TextBlock = { type: "text"; text: string };
export type ThinkingBlock = { type: "thinking"; thinking: string; signature: string };
export type ToolUseBlock = { type: "tool_use"; id: string; name: string; input: JsonObject };
export type OutputBlock = TextBlock | ThinkingBlock | ToolUseBlock;
export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

export interface Reply {
  model: string;
  content: OutputBlock[];
  stop_reason: StopReason;
  stop_sequence: string | null;
  usage: Usage;
}

const text = (value: string): TextBlock => ({ type: "text", text: value });

export function buildReply(req: ParsedRequest): Reply {
  const answer = answerFor(req);
  return { model: req.model, ...answer, usage: usageFor(req, answer.content) };
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
    usage: reply.usage,
  };
}

type Answer = Pick<Reply, "content" | "stop_reason" | "stop_sequence">;

function answerFor(req: ParsedRequest): Answer {
  const last = lastUserContent(req.messages);
  const results = last.filter((block) => block.type === "tool_result");
  const tool = results.length === 0 ? chosenTool(req) : undefined;
  const said = tool ? `I'll use the ${tool.name} tool.` : replyText(req.model, last, results);
  if (req.maxTokens !== undefined && req.maxTokens < 5) {
    return { content: [text(said.slice(0, req.maxTokens * 4))], stop_reason: "max_tokens", stop_sequence: null };
  }
  const thinking = req.thinking ? [thinkingBlock(req.model)] : [];
  if (tool) {
    const use = toolUse(tool, req.messages.length);
    return { content: [...thinking, text(said), use], stop_reason: "tool_use", stop_sequence: null };
  }
  const stop = firstStopSequence(said, req.stopSequences);
  if (!stop) return { content: [...thinking, text(said)], stop_reason: "end_turn", stop_sequence: null };
  const cut = said.slice(0, stop.index);
  return {
    content: cut === "" ? thinking : [...thinking, text(cut)],
    stop_reason: "stop_sequence",
    stop_sequence: stop.sequence,
  };
}

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

function replyText(model: string, last: Block[], results: Block[]): string {
  if (results.length > 0) return `Tool result received: ${results.map((r) => textOf(r.content)).join("; ")}`;
  const image = last.find((block) => block.type === "image");
  if (image) {
    const source = isRecord(image.source) ? image.source : {};
    return `I see a ${source.type === "url" ? "url" : String(source.media_type)} image.`;
  }
  return `Hello from ${model}! You said: ${textOf(last)}`;
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

function thinkingBlock(model: string): ThinkingBlock {
  const thinking = `The user wants an answer from ${model}. I will reply briefly.`;
  return { type: "thinking", thinking, signature: `EqQB${sha256(thinking, "base64")}` };
}

function firstStopSequence(said: string, sequences: string[]) {
  const hits = sequences
    .map((sequence) => ({ sequence, index: sequence === "" ? -1 : said.indexOf(sequence) }))
    .filter((hit) => hit.index >= 0);
  return hits.sort((a, b) => a.index - b.index)[0];
}

function blockLength(block: OutputBlock): number {
  if (block.type === "text") return block.text.length;
  if (block.type === "thinking") return block.thinking.length;
  return JSON.stringify(block.input).length + block.name.length;
}

function usageFor(req: ParsedRequest, content: OutputBlock[]): Usage {
  const chars = content.reduce((sum, block) => sum + blockLength(block), 0);
  const output = Math.max(1, Math.ceil(chars / 4));
  return {
    input_tokens: req.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: req.cacheMarkers > 0 ? Math.max(1, Math.floor(req.inputTokens / 2)) : 0,
    output_tokens: req.maxTokens === undefined ? output : Math.min(output, req.maxTokens),
  };
}
