/**
 * Anthropic SSE events → OpenAI `chat.completion.chunk` SSE lines (docs/PROTOCOL.md §5), one event at a time. Pure apart
 * from the clock and id read at creation: feed it parsed events, write what it returns as it comes.
 *
 * The chunk sequence the openai SDK's strict `chat.completions.stream()` helper needs:
 *   role chunk → content / reasoning_content / tool_calls deltas → one chunk with finish_reason
 *   → (stream_options.include_usage) a `choices: []` chunk with usage → `data: [DONE]`.
 * A tool call's first fragment carries index, id, type, name and `arguments: ""`; later ones only index and arguments.
 */
import { ApiError, statusForErrorType, type AnthropicErrorType } from "../shared/errors.ts";
import { argumentsOf, chatUsage, completionId, finishReason, unixSeconds, type AnthropicUsage, type FinishReason } from "./response.ts";

export interface StreamOptions {
  /** The model as the client asked for it. */
  model: string;
  includeUsage: boolean;
  /** The client used legacy `functions`: stream `function_call` deltas instead of `tool_calls`. */
  legacyFunctions?: boolean;
}

export interface ChatStreamTranslator {
  /** Chunks for one Anthropic SSE event (possibly none). */
  event(name: string, data: unknown): string[];
  /** Chunks that close a stream the upstream finished: the usage chunk if asked for, then `data: [DONE]`. */
  end(): string[];
  /** An OpenAI-shaped error chunk (the SDK throws it as an APIError); nothing is sent after it. */
  fail(error: unknown): string[];
  /** True once `[DONE]` or an error has been produced: read no further. */
  readonly closed: boolean;
}

type Delta = Record<string, unknown>;

type Block =
  | { kind: "text" }
  | { kind: "thinking"; separate: boolean }
  | { kind: "tool"; index: number; sentArguments: boolean }
  | { kind: "other" };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const str = (value: unknown) => (typeof value === "string" ? value : undefined);

/** Anything that went wrong, as OpenAI's `{"error":{message,type,param,code}}`. */
export function openAIError(error: unknown): ReturnType<ApiError["toOpenAI"]> {
  if (error instanceof ApiError) return error.toOpenAI();
  // Anthropic's error event data: {"type":"error","error":{"type","message"}}
  const inner = isRecord(error) && isRecord(error.error) ? error.error : undefined;
  if (inner) {
    const type = str(inner.type) ?? "api_error";
    const message = str(inner.message) ?? "the Anthropic API reported an error";
    return new ApiError(statusForErrorType(type), message, { type: type as AnthropicErrorType }).toOpenAI();
  }
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : "the stream failed";
  return new ApiError(500, message).toOpenAI();
}

export const sseData = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
export const SSE_DONE = "data: [DONE]\n\n";

export function createChatStreamTranslator(opts: StreamOptions): ChatStreamTranslator {
  const legacy = opts.legacyFunctions === true;
  const created = unixSeconds();
  let id = completionId(undefined);
  let model = opts.model;
  let started = false;
  let finished = false; // the finish_reason chunk was sent
  let closed = false; // [DONE] or an error was sent: nothing more
  let stopReason: string | null | undefined;
  let usage: AnthropicUsage = {};
  let toolCount = 0;
  let thinkingBlocks = 0;
  const blocks = new Map<number, Block>();

  const chunk = (delta: Delta, finish: FinishReason | null = null) =>
    sseData({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });

  /** The role chunk, once, before anything else. */
  const start = (): string[] => {
    if (started) return [];
    started = true;
    return [chunk({ role: "assistant", content: "" })];
  };

  const toolDelta = (index: number, fragment: { id?: string; name?: string; arguments: string }): Delta => {
    if (legacy) {
      const { id: _id, ...call } = fragment;
      return { function_call: call };
    }
    const head = fragment.id === undefined ? {} : { id: fragment.id, type: "function" };
    const fn = fragment.name === undefined ? { arguments: fragment.arguments } : { name: fragment.name, arguments: fragment.arguments };
    return { tool_calls: [{ index, ...head, function: fn }] };
  };

  /** Legacy function calling can express one call: later tool uses are not streamed. */
  const streams = (block: Block | undefined): block is Extract<Block, { kind: "tool" }> =>
    block?.kind === "tool" && (!legacy || block.index === 0);

  const finish = (): string[] => {
    if (finished) return [];
    finished = true;
    return [...start(), chunk({}, finishReason(stopReason, legacy))];
  };

  const fail = (error: unknown): string[] => {
    if (closed) return [];
    closed = true;
    return [sseData(openAIError(error))];
  };

  function event(name: string, data: unknown): string[] {
    if (closed) return [];
    if (name === "error") return fail(data);
    if (!isRecord(data)) return [];
    switch (name) {
      case "message_start": {
        const message = isRecord(data.message) ? data.message : {};
        if (!started) id = completionId(str(message.id));
        model = (!started && str(message.model)) || model;
        if (isRecord(message.usage)) usage = { ...usage, ...(message.usage as AnthropicUsage) };
        return start();
      }
      case "content_block_start": {
        const index = Number(data.index);
        const block = isRecord(data.content_block) ? data.content_block : {};
        if (block.type === "text") {
          blocks.set(index, { kind: "text" });
          const text = str(block.text);
          return [...start(), ...(text ? [chunk({ content: text })] : [])];
        }
        if (block.type === "thinking") {
          // Several thinking blocks read as paragraphs, as in the non-stream answer.
          blocks.set(index, { kind: "thinking", separate: thinkingBlocks > 0 });
          thinkingBlocks += 1;
          return start();
        }
        if (block.type === "tool_use") {
          const tool: Block = { kind: "tool", index: toolCount++, sentArguments: false };
          blocks.set(index, tool);
          if (!streams(tool)) return start();
          const input = block.input;
          // Streaming sends `input: {}` here and the arguments as input_json_delta; a non-empty input is whole.
          const whole = isRecord(input) && Object.keys(input).length > 0 ? argumentsOf(input) : "";
          tool.sentArguments = whole !== "";
          const first = toolDelta(tool.index, { id: str(block.id) ?? `call_${tool.index}`, name: str(block.name) ?? "", arguments: "" });
          return [...start(), chunk(first), ...(whole ? [chunk(toolDelta(tool.index, { arguments: whole }))] : [])];
        }
        blocks.set(index, { kind: "other" });
        return start();
      }
      case "content_block_delta": {
        const block = blocks.get(Number(data.index));
        const delta = isRecord(data.delta) ? data.delta : {};
        if (delta.type === "text_delta" && block?.kind === "text") {
          const text = str(delta.text);
          return text ? [...start(), chunk({ content: text })] : [];
        }
        if (delta.type === "thinking_delta" && block?.kind === "thinking") {
          const thinking = str(delta.thinking);
          if (!thinking) return [];
          const text = block.separate ? `\n\n${thinking}` : thinking;
          block.separate = false;
          return [...start(), chunk({ reasoning_content: text })];
        }
        if (delta.type === "input_json_delta" && streams(block)) {
          const json = str(delta.partial_json);
          if (!json) return [];
          block.sentArguments = true;
          return [...start(), chunk(toolDelta(block.index, { arguments: json }))];
        }
        return []; // signature_delta, citations_delta, server tools: nothing OpenAI can carry
      }
      case "content_block_stop": {
        const block = blocks.get(Number(data.index));
        // A tool call without arguments still needs a JSON object: strict clients JSON.parse it.
        if (!streams(block) || block.sentArguments) return [];
        block.sentArguments = true;
        return [chunk(toolDelta(block.index, { arguments: "{}" }))];
      }
      case "message_delta": {
        const delta = isRecord(data.delta) ? data.delta : {};
        if ("stop_reason" in delta) stopReason = str(delta.stop_reason) ?? null;
        // message_delta usage is cumulative; newer API versions repeat the input counts there too.
        if (isRecord(data.usage)) usage = { ...usage, ...withoutNulls(data.usage as AnthropicUsage) };
        return [];
      }
      case "message_stop":
        return finish();
      default:
        return []; // ping and events added in the future
    }
  }

  return {
    event,
    fail,
    get closed() {
      return closed;
    },
    end() {
      if (closed) return [];
      // Upstream ended without message_stop and without an error: the answer is cut short, say so.
      if (!finished && stopReason === undefined)
        return fail(new ApiError(502, "the Anthropic stream ended before the answer was complete"));
      const out = finish();
      if (opts.includeUsage) {
        out.push(sseData({ id, object: "chat.completion.chunk", created, model, choices: [], usage: chatUsage(usage) }));
      }
      closed = true;
      out.push(SSE_DONE);
      return out;
    },
  };
}

function withoutNulls(usage: AnthropicUsage): AnthropicUsage {
  return Object.fromEntries(Object.entries(usage).filter(([, value]) => value !== null && value !== undefined));
}
