/** Server-sent events exactly as the Messages API streams them, with scripted pacing, resets and error events. */
import { sleep } from "./faults.ts";
import type { OutputBlock, Reply } from "./reply.ts";
import type { ScriptedEvent } from "./types.ts";

export interface SseEvent {
  event: string;
  data: unknown;
}

const TEXT_CHUNK = 5;
const THINKING_CHUNK = 8;
const JSON_CHUNK = 6;
export const RESET_FLUSH_MS = 25;

function chunks(value: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < value.length; i += size) pieces.push(value.slice(i, i + size));
  return pieces;
}

const event = (name: string, data: object): SseEvent => ({ event: name, data: { type: name, ...data } });

/** message_start, ping, the blocks, message_delta, message_stop — with any scripted extra events spliced in. */
export function streamEvents(id: string, reply: Reply): SseEvent[] {
  const { usage } = reply;
  const message = {
    id,
    type: "message",
    role: "assistant",
    model: reply.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    stop_details: null,
    usage: { ...usage, output_tokens: 1 },
  };
  const events = [
    event("message_start", { message }),
    event("ping", {}),
    ...reply.content.flatMap((block, index) => blockEvents(block, index)),
    event("message_delta", {
      delta: { stop_reason: reply.stop_reason, stop_sequence: reply.stop_sequence, stop_details: reply.stop_details },
      usage,
    }),
    event("message_stop", {}),
  ];
  return spliceExtraEvents(events, reply.extraEvents);
}

/** Extra events go in before the event at their `at` index (default: right after message_start), in script order. */
function spliceExtraEvents(events: SseEvent[], extra: ScriptedEvent[]): SseEvent[] {
  const out = [...events];
  let shift = 0;
  for (const { event: name, data, at = 1 } of extra) {
    out.splice(Math.min(at, events.length) + shift, 0, { event: name, data });
    shift += 1;
  }
  return out;
}

/** Blocks whose `input` streams as input_json_delta fragments after a start with `input: {}`. */
const TOOL_CALLS = new Set(["tool_use", "server_tool_use", "mcp_tool_use"]);

function blockEvents(block: OutputBlock, index: number): SseEvent[] {
  const delta = (d: object) => event("content_block_delta", { index, delta: d });
  const wrap = (start: object, deltas: SseEvent[]) => [
    event("content_block_start", { index, content_block: start }),
    ...deltas,
    event("content_block_stop", { index }),
  ];
  if (block.type === "text" && typeof block.text === "string") {
    const { text, citations, ...rest } = block;
    const cited = Array.isArray(citations) ? citations : [];
    return wrap(Array.isArray(citations) ? { ...rest, text: "", citations: [] } : { ...rest, text: "" }, [
      ...chunks(text, TEXT_CHUNK).map((piece) => delta({ type: "text_delta", text: piece })),
      ...cited.map((citation) => delta({ type: "citations_delta", citation })),
    ]);
  }
  if (block.type === "thinking" && typeof block.thinking === "string") {
    return wrap({ type: "thinking", thinking: "", signature: "" }, [
      ...chunks(block.thinking, THINKING_CHUNK).map((thinking) => delta({ type: "thinking_delta", thinking })),
      delta({ type: "signature_delta", signature: block.signature }),
    ]);
  }
  if (TOOL_CALLS.has(block.type)) {
    // Like the real API: the first input_json_delta is often empty.
    const fragments = ["", ...chunks(JSON.stringify(block.input ?? {}), JSON_CHUNK)];
    return wrap(
      { ...block, input: {} },
      fragments.map((partial_json) => delta({ type: "input_json_delta", partial_json })),
    );
  }
  // redacted_thinking, tool results, fallback, compaction and types nobody knows yet arrive whole in the start event.
  return wrap(block, []);
}

export const encodeEvent = (e: SseEvent) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;

/** How the stream ends: cleanly, cut (connection reset) after N events, or an `event: error` after N events. */
export type StreamEnding =
  | { kind: "complete" }
  | { kind: "reset"; afterEvents: number }
  | { kind: "error"; afterEvents: number; error: SseEvent };

export interface StreamHooks {
  opened(): void;
  closed(): void;
}

/** The SSE body. `hooks.closed` runs exactly once: on completion, reset, error event or client cancel. */
export function sseBody(
  events: SseEvent[],
  ending: StreamEnding,
  delayMs: number,
  signal: AbortSignal,
  hooks: StreamHooks,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const stopAt = ending.kind === "complete" ? events.length : Math.min(ending.afterEvents, events.length);
  let sent = 0;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    hooks.closed();
  };
  hooks.opened();
  signal.addEventListener("abort", finish, { once: true });
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent > 0 && delayMs > 0) await sleep(delayMs, signal);
      if (done) return;
      const next = events[sent];
      if (sent < stopAt && next) {
        sent += 1;
        controller.enqueue(encoder.encode(encodeEvent(next)));
        return;
      }
      if (ending.kind === "reset") {
        // Let the events sent so far (and the headers) reach the client first, then drop the socket mid-body:
        // error() without a reason makes Bun close the connection without the terminating chunk (ECONNRESET).
        await sleep(RESET_FLUSH_MS, signal);
        if (done) return;
        finish();
        return controller.error();
      }
      finish();
      if (ending.kind === "error") controller.enqueue(encoder.encode(encodeEvent(ending.error)));
      controller.close();
    },
    cancel() {
      finish();
    },
  });
}
