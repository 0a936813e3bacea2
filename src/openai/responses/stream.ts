/**
 * Anthropic SSE events → OpenAI Responses API stream events (docs/PROTOCOL.md §7), one event at a time. Pure: feed it
 * parsed events, write what it returns as it comes. Every event is `event: <type>\ndata: <json>\n\n`, its data carrying
 * the same `type` and a `sequence_number` counting from 0; there is no `[DONE]`.
 *
 *   response.created, response.in_progress (at message_start)
 *   per item: response.output_item.added →
 *     message:   per text block content_part.added, output_text.delta×n, output_text.done, content_part.done
 *     reasoning: per non-empty thinking block reasoning_summary_part.added, reasoning_summary_text.delta×n,
 *                reasoning_summary_text.done, reasoning_summary_part.done
 *     function:  function_call_arguments.delta×n (the partial JSON as it comes), function_call_arguments.done
 *     custom:    custom_tool_call_input.delta×n (the `input` string decoded as its JSON arrives), custom_tool_call_input.done
 *     web search: web_search_call.in_progress, .searching, .completed
 *   → response.output_item.done
 *   response.completed | response.incomplete | response.failed — always exactly one, last.
 *
 * Items are built by response.ts's builders from the blocks as they accumulate, and the final Response carries the
 * very items the stream finished, so a streamed answer equals `toResponse` of the same message. A message or reasoning
 * item stays open while blocks of its kind follow (consecutive blocks join, as in response.ts), so it is finished when
 * another item starts or the answer ends; a tool call is finished at its block's end.
 */
import { ApiError } from "../../shared/errors.ts";
import type { AnthropicUsage } from "../response.ts";
import {
  idStem,
  itemId,
  itemKind,
  joins,
  outputItem,
  refusalBlock,
  responseObject,
  responseStatus,
  responseUsage,
  type AnthropicAnswer,
  type AnthropicBlock,
  type ItemKind,
  type ItemStatus,
  type OutputItem,
  type ResponseError,
  type ResponseErrorCode,
  type ResponseObject,
} from "./response.ts";
import type { ResponsesContext } from "./types.ts";

export interface ResponsesStreamTranslator {
  /** SSE text for one Anthropic SSE event (possibly none). */
  event(name: string, data: unknown): string[];
  /** The upstream stream ended: the terminal event if there has been none (`response.failed` if the answer was cut). */
  end(): string[];
  /** `response.failed` with the error; nothing is written after it. */
  fail(error: unknown): string[];
  /**
   * True once the stream failed (an upstream error, or `fail`): read no further. After a normal terminal event it
   * stays false, so the pump reads upstream to its end (Codex hangs up at `response.completed`; the upstream was
   * done by then, and cancelling it would count as a client that left early).
   */
  readonly closed: boolean;
  /** The Response of the terminal event (completed, incomplete or failed); undefined until then. */
  readonly response: ResponseObject | undefined;
}

/** One output item being written. */
interface Slot {
  kind: ItemKind;
  id: string;
  index: number;
  blocks: AnthropicBlock[];
  /** The next content_index (message) or summary_index (reasoning). */
  parts: number;
  states: BlockState[];
}

/** One Anthropic block being received. */
interface BlockState {
  slot: Slot;
  /** The block as accumulated so far (the builders read it). */
  block: AnthropicBlock;
  /** Its content_index / summary_index, once its part was announced. */
  part?: number;
  finished: boolean;
  /** Tool input JSON as received. */
  json: string;
  /** Custom tools: the decoder of the `input` string and what of it was sent. */
  decoder?: InputDecoder;
  sent: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown) => (typeof value === "string" ? value : "");

/** Anthropic error type → the code Responses clients act on (Codex: invalid_prompt and insufficient_quota are final). */
const ERROR_CODES: Readonly<Record<string, ResponseErrorCode>> = {
  rate_limit_error: "rate_limit_exceeded",
  overloaded_error: "server_is_overloaded",
  billing_error: "insufficient_quota",
  invalid_request_error: "invalid_prompt",
  request_too_large: "invalid_prompt",
};

/** Anything that went wrong as a Response's `error`: an ApiError, Anthropic's error event data, an Error. */
export function responseError(error: unknown): ResponseError {
  const code = (type: string) => ERROR_CODES[type] ?? "server_error";
  if (error instanceof ApiError) return { code: code(error.type), message: error.message };
  // Anthropic's error event data: {"type":"error","error":{"type","message"}}
  const inner = isRecord(error) && isRecord(error.error) ? error.error : undefined;
  if (inner) return { code: code(str(inner.type)), message: str(inner.message) || "the Anthropic API reported an error" };
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  return { code: "server_error", message: message || "the stream failed" };
}

export interface InputDecoder {
  /** The decoded text that the fragment completes (possibly ""). */
  push(fragment: string): string;
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Decodes the string value of `{"input": "…"}` (a custom tool's Anthropic input) as its JSON arrives, so a long patch
 * streams while it is written. Incomplete escapes and a high surrogate without its pair wait for the next fragment.
 * Any other shape (input not the first property) yields nothing: the stream sends the whole input at the block's end.
 */
export function createInputDecoder(): InputDecoder {
  let buffer = "";
  let position = 0;
  let state: "head" | "value" | "end" = "head";
  return {
    push(fragment) {
      buffer += fragment;
      if (state === "head") {
        const head = /^\s*\{\s*"input"\s*:\s*"/.exec(buffer);
        if (!head) {
          // Anthropic writes compact JSON: a head not found by now is some other shape.
          if (buffer.length > 64) state = "end";
          return "";
        }
        position = head[0].length;
        state = "value";
      }
      if (state !== "value") return "";
      let text = "";
      let lastUnit = position;
      while (position < buffer.length) {
        const char = buffer[position] as string;
        if (char === '"') {
          state = "end";
          break;
        }
        const start = position;
        if (char !== "\\") {
          text += char;
          position += 1;
        } else {
          const next = buffer[position + 1];
          if (next === undefined) break;
          if (next === "u") {
            const hex = buffer.slice(position + 2, position + 6);
            if (hex.length < 4) break;
            text += String.fromCharCode(Number.parseInt(hex, 16));
            position += 6;
          } else {
            text += ESCAPES[next] ?? next;
            position += 2;
          }
        }
        lastUnit = start;
      }
      // Half a surrogate pair is not text on its own: keep it for the fragment that brings the other half.
      if (state === "value" && text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1))) {
        text = text.slice(0, -1);
        position = lastUnit;
      }
      return text;
    },
  };
}

/** The block as content_block_start gives it, keeping only fields of the types the builders read. */
function blockFrom(start: Record<string, unknown>): AnthropicBlock {
  const block: AnthropicBlock = { type: str(start.type) };
  if (typeof start.id === "string") block.id = start.id;
  if (typeof start.name === "string") block.name = start.name;
  if ("input" in start) block.input = start.input;
  if (typeof start.signature === "string") block.signature = start.signature;
  if (typeof start.data === "string") block.data = start.data;
  if (block.type === "text" || block.type === "refusal") block.text = str(start.text);
  if (block.type === "thinking") block.thinking = str(start.thinking);
  return block;
}

/** Tool input JSON as received; text that does not parse goes on as it came (response.ts argumentsText). */
function parsedInput(state: BlockState): unknown {
  if (state.json === "") return state.block.input ?? {};
  try {
    return JSON.parse(state.json);
  } catch {
    return state.json;
  }
}

const isTool = (kind: ItemKind) => kind === "function_call" || kind === "custom_tool_call" || kind === "web_search_call";

export function createResponsesStreamTranslator(ctx: ResponsesContext): ResponsesStreamTranslator {
  let sequence = 0;
  let out: string[] = [];
  let started = false;
  let terminated = false;
  let failed = false;
  let messageId: string | undefined;
  let model = ctx.model;
  let usage: AnthropicUsage = {};
  let stopReason: string | null | undefined;
  let stopDetails: AnthropicAnswer["stop_details"];
  let current: Slot | undefined; // the item that may still grow
  let final: ResponseObject | undefined;
  const finished: OutputItem[] = [];
  const states = new Map<number, BlockState>();

  const send = (type: string, fields: Record<string, unknown>) => {
    out.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: sequence++ })}\n\n`);
  };
  const flush = () => {
    const lines = out;
    out = [];
    return lines;
  };
  const at = (slot: Slot) => ({ item_id: slot.id, output_index: slot.index });

  /** response.created and response.in_progress, once, before anything else (the SDKs build on response.created). */
  const start = () => {
    if (started) return;
    started = true;
    const response = responseObject(ctx, { status: "in_progress", model, output: [] });
    send("response.created", { response });
    send("response.in_progress", { response });
  };

  /** The item as output_item.added shows it: nothing received yet. */
  const addedItem = (kind: ItemKind, block: AnthropicBlock, id: string): OutputItem => {
    const item = outputItem(kind, joins(kind) ? [] : [block], id, ctx, "in_progress");
    if (item.type === "function_call") return { ...item, arguments: "" };
    if (item.type === "custom_tool_call") return { ...item, input: "" };
    if (item.type === "web_search_call") return { ...item, status: "in_progress", action: { type: "search" } };
    return item;
  };

  /** The slot a new block of this kind goes to: the open item if the kind joins, else a new item. */
  const slotFor = (kind: ItemKind, block: AnthropicBlock): Slot => {
    if (current?.kind === kind && joins(kind)) return current;
    if (current) closeItem(current, "completed");
    const index = finished.length;
    const slot: Slot = { kind, id: itemId(kind, idStem(messageId, ctx), index), index, blocks: [], parts: 0, states: [] };
    current = slot;
    send("response.output_item.added", { output_index: index, item: addedItem(kind, block, slot.id) });
    if (kind === "web_search_call") send("response.web_search_call.in_progress", at(slot));
    return slot;
  };

  const textDelta = (state: BlockState, delta: string) => {
    if (!delta) return;
    state.block.text = str(state.block.text) + delta;
    send("response.output_text.delta", { ...at(state.slot), content_index: state.part, delta, logprobs: [] });
  };

  const thinkingDelta = (state: BlockState, delta: string) => {
    if (!delta) return;
    state.block.thinking = str(state.block.thinking) + delta;
    // A summary part only for thinking that has text (display "omitted" streams none), as response.ts summarises.
    if (state.part === undefined) {
      state.part = state.slot.parts++;
      const part = { type: "summary_text", text: "" };
      send("response.reasoning_summary_part.added", { ...at(state.slot), summary_index: state.part, part });
    }
    send("response.reasoning_summary_text.delta", { ...at(state.slot), summary_index: state.part, delta });
  };

  const inputDelta = (state: BlockState, fragment: string) => {
    if (!fragment) return;
    state.json += fragment;
    if (state.slot.kind === "function_call") send("response.function_call_arguments.delta", { ...at(state.slot), delta: fragment });
    if (state.decoder) {
      const delta = state.decoder.push(fragment);
      if (!delta) return;
      state.sent += delta;
      send("response.custom_tool_call_input.delta", { ...at(state.slot), delta });
    }
  };

  /** `index` is the Anthropic block index (none for the refusal part, which no event refers to). */
  const startBlock = (index: number | undefined, block: AnthropicBlock) => {
    const kind = itemKind(block, ctx);
    if (!kind) return; // no Responses equivalent: skipped, and the open item stays open
    const slot = slotFor(kind, block);
    const received = { ...block, ...(block.type === "text" ? { text: "" } : {}), ...(block.type === "thinking" ? { thinking: "" } : {}) };
    const state: BlockState = { slot, block: received, finished: false, json: "", sent: "" };
    slot.blocks.push(received);
    slot.states.push(state);
    if (index !== undefined) states.set(index, state);
    if (kind === "custom_tool_call") state.decoder = createInputDecoder();
    if (block.type === "text" || block.type === "refusal") {
      state.part = slot.parts++;
      const part =
        block.type === "text" ? { type: "output_text", text: "", annotations: [], logprobs: [] } : { type: "refusal", refusal: "" };
      send("response.content_part.added", { ...at(slot), content_index: state.part, part });
    }
    if (block.type === "text") textDelta(state, str(block.text));
    if (block.type === "refusal") {
      received.text = str(block.text);
      if (received.text) send("response.refusal.delta", { ...at(slot), content_index: state.part, delta: received.text });
    }
    if (block.type === "thinking") thinkingDelta(state, str(block.thinking));
    // Streaming sends `input: {}` here and the input as input_json_delta; a non-empty input is whole.
    if (isTool(kind) && isRecord(block.input) && Object.keys(block.input).length > 0) inputDelta(state, JSON.stringify(block.input));
  };

  /** The done events of a block's part; tool input parsed. */
  const finishBlock = (state: BlockState) => {
    if (state.finished) return;
    state.finished = true;
    const { block, slot, part } = state;
    if (block.type === "text" && part !== undefined) {
      const text = str(block.text);
      send("response.output_text.done", { ...at(slot), content_index: part, text, logprobs: [] });
      send("response.content_part.done", {
        ...at(slot),
        content_index: part,
        part: { type: "output_text", text, annotations: [], logprobs: [] },
      });
    }
    if (block.type === "refusal" && part !== undefined) {
      const refusal = str(block.text);
      send("response.refusal.done", { ...at(slot), content_index: part, refusal });
      send("response.content_part.done", { ...at(slot), content_index: part, part: { type: "refusal", refusal } });
    }
    if (block.type === "thinking" && part !== undefined) {
      const text = str(block.thinking);
      send("response.reasoning_summary_text.done", { ...at(slot), summary_index: part, text });
      send("response.reasoning_summary_part.done", { ...at(slot), summary_index: part, part: { type: "summary_text", text } });
    }
    if (isTool(slot.kind)) block.input = parsedInput(state);
  };

  /** The item's remaining done events, then output_item.done with the item as response.ts builds it. */
  const closeItem = (slot: Slot, status: ItemStatus) => {
    for (const state of slot.states) finishBlock(state);
    const item = outputItem(slot.kind, slot.blocks, slot.id, ctx, status);
    if (item.type === "function_call") {
      send("response.function_call_arguments.done", { ...at(slot), name: item.name, arguments: item.arguments });
    }
    if (item.type === "custom_tool_call") {
      // Whatever the decoder could not stream (another shape, a trailing half pair): the deltas add up to the input.
      const sent = slot.states[0]?.sent ?? "";
      const rest = item.input.startsWith(sent) ? item.input.slice(sent.length) : "";
      if (rest) send("response.custom_tool_call_input.delta", { ...at(slot), delta: rest });
      send("response.custom_tool_call_input.done", { ...at(slot), input: item.input });
    }
    if (item.type === "web_search_call") {
      send("response.web_search_call.searching", at(slot));
      send("response.web_search_call.completed", at(slot));
    }
    send("response.output_item.done", { output_index: slot.index, item });
    finished.push(item);
    if (current === slot) current = undefined;
  };

  const terminate = (response: ResponseObject, type: string) => {
    final = response;
    send(type, { response });
    terminated = true;
  };

  const failWith = (error: unknown) => {
    failed = true;
    start();
    const response = responseObject(ctx, {
      status: "failed",
      error: responseError(error),
      model,
      output: [...finished],
      usage: responseUsage(usage),
    });
    terminate(response, "response.failed");
  };

  /** The answer is complete: the refusal part if any, the open item, the terminal event (toResponse's object). */
  const finish = () => {
    start();
    const { status, incomplete_details } = responseStatus(stopReason);
    if (stopReason === "refusal") startBlock(undefined, refusalBlock(stopDetails));
    // The item still open is the last one: cut short with the answer (response.ts marks the same one).
    if (current) closeItem(current, status === "incomplete" ? "incomplete" : "completed");
    const response = responseObject(ctx, { status, incomplete_details, model, output: [...finished], usage: responseUsage(usage) });
    terminate(response, status === "incomplete" ? "response.incomplete" : "response.completed");
  };

  function handle(name: string, data: unknown) {
    if (name === "error") return failWith(data);
    if (!isRecord(data)) return;
    switch (name) {
      case "message_start": {
        const message = isRecord(data.message) ? data.message : {};
        if (!started) {
          messageId = str(message.id) || undefined;
          model = str(message.model) || model;
        }
        if (isRecord(message.usage)) usage = { ...usage, ...withoutNulls(message.usage) };
        return start();
      }
      case "content_block_start": {
        start();
        const block = isRecord(data.content_block) ? blockFrom(data.content_block) : undefined;
        if (block) startBlock(Number(data.index), block);
        return;
      }
      case "content_block_delta": {
        const state = states.get(Number(data.index));
        const delta = isRecord(data.delta) ? data.delta : {};
        if (!state || state.finished) return;
        if (delta.type === "text_delta" && state.block.type === "text") return textDelta(state, str(delta.text));
        if (delta.type === "thinking_delta" && state.block.type === "thinking") return thinkingDelta(state, str(delta.thinking));
        if (delta.type === "signature_delta" && state.block.type === "thinking") {
          state.block.signature = str(state.block.signature) + str(delta.signature);
          return;
        }
        if (delta.type === "input_json_delta" && isTool(state.slot.kind)) return inputDelta(state, str(delta.partial_json));
        return; // citations_delta and deltas yet to come: nothing the Responses items carry
      }
      case "content_block_stop": {
        const state = states.get(Number(data.index));
        if (!state) return;
        finishBlock(state);
        if (!joins(state.slot.kind) && current === state.slot) closeItem(state.slot, "completed");
        return;
      }
      case "message_delta": {
        const delta = isRecord(data.delta) ? data.delta : {};
        if ("stop_reason" in delta) stopReason = str(delta.stop_reason) || null;
        if (isRecord(delta.stop_details)) stopDetails = delta.stop_details;
        // message_delta usage is cumulative; newer API versions repeat the input counts there too.
        if (isRecord(data.usage)) usage = { ...usage, ...withoutNulls(data.usage) };
        return;
      }
      case "message_stop":
        return finish();
      default:
        return; // ping and events added in the future
    }
  }

  return {
    event(name, data) {
      if (terminated) return [];
      handle(name, data);
      return flush();
    },
    fail(error) {
      if (terminated) return [];
      failWith(error);
      return flush();
    },
    end() {
      if (terminated) return [];
      // Upstream ended without message_stop: an answer with its stop_reason is whole (as in the chat stream);
      // without one it was cut short, and saying so is the only honest ending.
      if (stopReason === undefined) failWith(new ApiError(502, "the Anthropic stream ended before the answer was complete"));
      else finish();
      return flush();
    },
    get closed() {
      return failed;
    },
    get response() {
      return final;
    },
  };
}

function withoutNulls(usage: Record<string, unknown>): AnthropicUsage {
  return Object.fromEntries(Object.entries(usage).filter(([, value]) => value !== null && value !== undefined));
}
