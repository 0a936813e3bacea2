/** Body validation for /v1/messages and /v1/messages/count_tokens, as strict as the real API where it matters. */
import { fail } from "./errors.ts";
import { isRecord, type JsonObject } from "./guards.ts";
import type { AuthMode } from "./headers.ts";
import type { Catalogue, CatalogueEntry } from "./models.ts";
import { parseOutputConfig, type OutputConfig } from "./output-config.ts";
import { IDENTITY_REFUSAL } from "./policy.ts";
import { checkThinkingBinding, checkThinkingBlock, parseThinking, thinks, type ThinkingMode } from "./thinking.ts";
import { checkSampling, checkVersionBlocks } from "./versions.ts";

export const IDENTITY = "You are Claude Code, Anthropic's official CLI for Claude.";
const MAX_CACHE_MARKERS = 4;

export interface Block extends JsonObject {
  type: string;
}
export interface Message {
  /** "system": a mid-conversation system message (SDK 1.x SystemMessageParam), text blocks only. */
  role: "user" | "assistant" | "system";
  content: Block[];
}
/** A custom tool has an input_schema; server tools (web search, …) do not. */
export interface ToolDef {
  name: string;
  input_schema?: JsonObject;
  raw: JsonObject;
}
export type ToolChoice = { type: "auto" | "any" | "none" } | { type: "tool"; name: string };

export interface ParsedRequest {
  /** The model as the request named it (an alias stays an alias). */
  model: string;
  entry: CatalogueEntry;
  messages: Message[];
  system: Block[];
  tools: ToolDef[];
  toolChoice: ToolChoice | undefined;
  thinking: ThinkingMode;
  output: OutputConfig;
  stopSequences: string[];
  maxTokens: number | undefined;
  stream: boolean;
  cacheMarkers: number;
  inputTokens: number;
}

export interface ParseContext {
  route: "messages" | "count_tokens";
  mode: AuthMode;
  catalogue: Catalogue;
  /** The anthropic-version header (already checked to be a known one). */
  version: string;
}

/** OpenAI-only fields: the real API answers "Extra inputs are not permitted", so a translation leak shows. */
const OPENAI_ONLY = [
  "n",
  "stop",
  "user",
  "seed",
  "logprobs",
  "top_logprobs",
  "stream_options",
  "response_format",
  "max_completion_tokens",
  "reasoning_effort",
  "parallel_tool_calls",
  "frequency_penalty",
  "presence_penalty",
  "functions",
  "function_call",
];

const MESSAGE_BLOCK_TYPES = new Set([
  "text",
  "image",
  "document",
  "search_result",
  "tool_use",
  "tool_result",
  "thinking",
  "redacted_thinking",
  "server_tool_use",
  "web_search_tool_result",
  "web_fetch_tool_result",
  "code_execution_tool_result",
  "bash_code_execution_tool_result",
  "text_editor_code_execution_tool_result",
  "mcp_tool_use",
  "mcp_tool_result",
  "container_upload",
  "tool_search_tool_result",
  // Echoed back from earlier responses: a fallback hop's marker and a compaction summary.
  "fallback",
  "compaction",
]);

const IMAGE_MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];

export function parseRequest(body: unknown, ctx: ParseContext): ParsedRequest {
  if (!isRecord(body)) fail("Request body must be a JSON object.");
  for (const field of OPENAI_ONLY) if (field in body) fail(`${field}: Extra inputs are not permitted`);
  const model = parseModelField(body.model);
  const entry = ctx.catalogue.callable(model);
  const messages = parseMessages(body.messages);
  const maxTokens = parseMaxTokens(body.max_tokens, ctx.route, entry);
  const system = parseSystem(body.system);
  const tools = parseTools(body.tools);
  const toolChoice = parseToolChoice(body.tool_choice, tools);
  checkVersionBlocks(messages, ctx.version);
  checkSampling(body, ctx.version, entry.rules);
  const thinking = parseThinking(body.thinking, entry.rules, maxTokens);
  checkToolChoice(toolChoice, thinking, entry);
  if (thinks(thinking)) {
    checkThinkingBinding(messages);
    if (body.temperature !== undefined && body.temperature !== null && body.temperature !== 1) {
      fail("`temperature` may only be set to 1 when thinking is enabled.");
    }
  }
  const output = parseOutputConfig(body.output_config, entry);
  if (ctx.mode === "oauth" && ctx.route === "messages") checkIdentity(body.system, system);
  const cacheMarkers = countCacheMarkers(system, messages, tools);
  if (cacheMarkers > MAX_CACHE_MARKERS) {
    fail(`A maximum of ${MAX_CACHE_MARKERS} blocks with cache_control may be provided. Found ${cacheMarkers}.`);
  }
  const inputTokens = countInputTokens(body);
  const maxInput = entry.info.max_input_tokens;
  if (ctx.route === "messages" && maxInput !== null && inputTokens > maxInput) {
    fail(`prompt is too long: ${inputTokens} tokens > ${maxInput} maximum`);
  }
  return {
    model,
    entry,
    messages,
    system,
    tools,
    toolChoice,
    thinking,
    output,
    stopSequences: parseStopSequences(body.stop_sequences),
    maxTokens,
    stream: parseStream(body.stream),
    cacheMarkers,
    inputTokens,
  };
}

/** A deterministic, plausible token count: a quarter of the prompt-relevant JSON. */
function countInputTokens(body: JsonObject): number {
  const { system, messages, tools, tool_choice, thinking, output_config } = body;
  const prompt = JSON.stringify({ system, messages, tools, tool_choice, thinking, output_config });
  return Math.max(1, Math.ceil(prompt.length / 4));
}

/** Existence and lifecycle come after: an unknown or retired model is the catalogue's 404. */
function parseModelField(value: unknown): string {
  if (typeof value !== "string" || value === "") fail("model: Field required");
  return value;
}

function parseMaxTokens(value: unknown, route: ParseContext["route"], entry: CatalogueEntry): number | undefined {
  if (value === undefined) {
    if (route === "messages") fail("max_tokens: Field required");
    return undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    fail("max_tokens: Input should be a valid integer greater than or equal to 1");
  }
  const limit = entry.info.max_tokens;
  if (limit !== null && value > limit) {
    fail(`max_tokens: ${value} > ${limit}, which is the maximum allowed number of output tokens for ${entry.info.id}`);
  }
  return value;
}

function parseStream(value: unknown): boolean {
  if (value !== undefined && typeof value !== "boolean") fail("stream: Input should be a valid boolean");
  return value === true;
}

function parseStopSequences(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((s): s is string => typeof s === "string")) {
    fail("stop_sequences: Input should be a valid list of strings");
  }
  return value;
}

function toBlock(value: unknown, path: string): Block {
  if (!isRecord(value)) fail(`${path}: Input should be a valid dictionary`);
  const type = value.type;
  if (typeof type !== "string") fail(`${path}.type: Field required`);
  return { ...value, type };
}

function parseSystem(value: unknown): Block[] {
  if (value === undefined) return [];
  if (typeof value === "string") return value === "" ? [] : [{ type: "text", text: value }];
  if (!Array.isArray(value)) fail("system: Input should be a valid string or list of text blocks");
  return value.map((item, i) => {
    const block = toBlock(item, `system.${i}`);
    if (block.type !== "text") fail(`system.${i}.type: Input should be 'text'`);
    checkText(block, `system.${i}`);
    return block;
  });
}

function checkText(block: Block, path: string): void {
  if (typeof block.text !== "string") fail(`${path}.text: Field required`);
  if (block.text.trim() === "") fail(`${path}: text content blocks must contain non-whitespace text`);
}

function parseMessages(value: unknown): Message[] {
  if (value === undefined) fail("messages: Field required");
  if (!Array.isArray(value)) fail("messages: Input should be a valid list");
  if (value.length === 0) fail("messages: at least one message is required");
  const messages = value.map((item, i) => parseMessage(item, `messages.${i}`, i === value.length - 1));
  checkToolPairing(messages);
  return messages;
}

function parseMessage(value: unknown, path: string, isLast: boolean): Message {
  if (!isRecord(value)) fail(`${path}: Input should be a valid dictionary`);
  const role = value.role;
  if (role !== "user" && role !== "assistant" && role !== "system") {
    fail(`${path}.role: Input should be 'user', 'assistant' or 'system'`);
  }
  const content = value.content;
  const mayBeEmpty = isLast && role === "assistant";
  const empty = `${path}: all messages must have non-empty content except for the optional final assistant message`;
  if (typeof content === "string") {
    if (content === "" && !mayBeEmpty) fail(empty);
    return { role, content: content === "" ? [] : [{ type: "text", text: content }] };
  }
  if (!Array.isArray(content)) fail(`${path}.content: Input should be a valid string or list of content blocks`);
  if (content.length === 0 && !mayBeEmpty) fail(empty);
  const blocks = content.map((item, j) => parseContentBlock(item, `${path}.content.${j}`));
  blocks.forEach((block, j) => {
    if (role === "system" && block.type !== "text") fail(`${path}.content.${j}.type: Input should be 'text'`);
  });
  return { role, content: blocks };
}

function parseContentBlock(value: unknown, path: string): Block {
  const block = toBlock(value, path);
  if (!MESSAGE_BLOCK_TYPES.has(block.type)) {
    fail(`${path}.type: Input tag '${block.type}' found using 'type' does not match any of the expected tags`);
  }
  if (block.type === "text") checkText(block, path);
  if (block.type === "image") checkImage(block, path);
  if (block.type === "tool_use") checkToolUse(block, path);
  if (block.type === "tool_result") checkToolResult(block, path);
  if (block.type === "thinking") checkThinkingBlock(block, path);
  return block;
}

function checkToolUse(block: Block, path: string): void {
  if (typeof block.id !== "string" || block.id === "") fail(`${path}.id: Field required`);
  if (typeof block.name !== "string" || block.name === "") fail(`${path}.name: Field required`);
  if (!isRecord(block.input)) fail(`${path}.input: Input should be a valid dictionary`);
}

function checkToolResult(block: Block, path: string): void {
  if (typeof block.tool_use_id !== "string" || block.tool_use_id === "") fail(`${path}.tool_use_id: Field required`);
  const content = block.content;
  if (content === undefined || typeof content === "string") return;
  if (!Array.isArray(content)) fail(`${path}.content: Input should be a valid string or list of content blocks`);
  content.forEach((item, k) => {
    const inner = toBlock(item, `${path}.content.${k}`);
    if (!["text", "image", "document", "search_result"].includes(inner.type)) {
      fail(`${path}.content.${k}.type: Input should be 'text', 'image', 'document' or 'search_result'`);
    }
    if (inner.type === "text") checkText(inner, `${path}.content.${k}`);
    if (inner.type === "image") checkImage(inner, `${path}.content.${k}`);
  });
}

const imageSignatures: Record<string, (bytes: Buffer) => boolean> = {
  "image/png": (b) => b.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47])),
  "image/jpeg": (b) => b.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])),
  "image/gif": (b) => b.subarray(0, 4).toString("latin1") === "GIF8",
  "image/webp": (b) => b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP",
};

function checkImage(block: Block, path: string): void {
  const source = block.source;
  if (!isRecord(source)) fail(`${path}.source: Field required`);
  if (source.type === "url") {
    if (typeof source.url !== "string" || !/^https?:\/\//.test(source.url)) fail(`${path}.source.url: Input should be a valid URL`);
    return;
  }
  if (source.type !== "base64") fail(`${path}.source.type: Input should be 'base64' or 'url'`);
  const mediaType = source.media_type;
  if (typeof mediaType !== "string" || !IMAGE_MEDIA_TYPES.includes(mediaType)) {
    fail(`${path}.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`);
  }
  const data = source.data;
  if (typeof data !== "string" || data === "" || data.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) {
    fail(`${path}.source.data: The image data is not valid base64`);
  }
  if (!imageSignatures[mediaType]?.(Buffer.from(data, "base64"))) {
    fail(`${path}.source: Image does not match the provided media type ${mediaType}`);
  }
}

const blockIds = (message: Message | undefined, type: string, key: string): string[] =>
  (message?.content ?? []).filter((b) => b.type === type).map((b) => String(b[key]));

/** tool_result must answer a tool_use of the previous assistant turn, and every tool_use must be answered next turn. */
function checkToolPairing(messages: Message[]): void {
  messages.forEach((message, i) => {
    const previous = messages[i - 1];
    const offered = previous?.role === "assistant" ? blockIds(previous, "tool_use", "id") : [];
    for (const id of message.role === "user" ? blockIds(message, "tool_result", "tool_use_id") : []) {
      if (!offered.includes(id)) {
        fail(
          `messages.${i}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. ` +
            "Each `tool_result` block must have a corresponding `tool_use` block in the previous message.",
        );
      }
    }
    const next = messages[i + 1];
    if (message.role !== "assistant" || next === undefined) return;
    const answered = next.role === "user" ? blockIds(next, "tool_result", "tool_use_id") : [];
    const missing = blockIds(message, "tool_use", "id").filter((id) => !answered.includes(id));
    if (missing.length > 0) {
      fail(
        `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ` +
          `${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
    }
  });
}

function parseTools(value: unknown): ToolDef[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail("tools: Input should be a valid list");
  return value.map((item, i) => {
    if (!isRecord(item)) fail(`tools.${i}: Input should be a valid dictionary`);
    const name = item.name;
    if (typeof name !== "string" || !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      fail(`tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
    }
    const isCustom = item.type === undefined || item.type === "custom";
    if (!isCustom) return { name, raw: item };
    const schema = item.input_schema;
    if (!isRecord(schema)) fail(`tools.${i}.input_schema: Field required`);
    if (schema.type !== "object") fail(`tools.${i}.input_schema.type: Input should be 'object'`);
    return { name, input_schema: schema, raw: item };
  });
}

function parseToolChoice(value: unknown, tools: ToolDef[]): ToolChoice | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) fail("tool_choice: Input should be a valid dictionary");
  const type = value.type;
  if (type === "auto" || type === "any" || type === "none") return { type };
  if (type !== "tool") fail("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
  const name = value.name;
  if (typeof name !== "string") fail("tool_choice.name: Field required");
  if (!tools.some((tool) => tool.name === name)) fail(`tool_choice.name: no tool named ${JSON.stringify(name)} in tools`);
  return { type, name };
}

/** Forced tool use: refused outright by models that always think, and refused alongside thinking everywhere. */
function checkToolChoice(choice: ToolChoice | undefined, thinking: ThinkingMode, entry: CatalogueEntry): void {
  if (choice?.type !== "any" && choice?.type !== "tool") return;
  if (!entry.rules.forcedToolUse) {
    fail(`\`tool_choice\` of type \`${choice.type}\` is not supported for ${entry.info.id}. Use \`auto\` or \`none\`.`);
  }
  if (thinks(thinking)) fail("Thinking may not be enabled when tool_choice forces tool use.");
}

/** OAuth callers: the first system block must be exactly the Claude Code identity, and only once. */
function checkIdentity(raw: unknown, system: Block[]): void {
  const first = Array.isArray(raw) ? raw[0] : undefined;
  const exact = isRecord(first) && Object.keys(first).length === 2 && first.type === "text" && first.text === IDENTITY;
  if (!exact) fail(IDENTITY_REFUSAL);
  const copies = system.reduce((n, block) => n + String(block.text).split(IDENTITY).length - 1, 0);
  if (copies > 1) fail("The Claude Code identity system prompt was sent more than once.");
}

function countCacheMarkers(system: Block[], messages: Message[], tools: ToolDef[]): number {
  const nested = (block: Block): unknown[] => (Array.isArray(block.content) ? block.content : []);
  const blocks: unknown[] = [
    ...system,
    ...messages.flatMap((m) => m.content.flatMap((block) => [block, ...nested(block)])),
    ...tools.map((tool) => tool.raw),
  ];
  return blocks.filter((block) => isRecord(block) && block.cache_control !== undefined && block.cache_control !== null).length;
}
