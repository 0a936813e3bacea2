/**
 * An incremental Server-Sent Events parser (the WHATWG event-stream rules): events may be split anywhere across
 * chunks, lines end in \n, \r\n or \r, several `data:` lines join with \n, `:` lines are comments, a leading BOM
 * is skipped, an event without data is not dispatched, and an unterminated event at the end is dropped (it was cut
 * off). `id` and `retry` are accepted and ignored.
 */

export interface ServerSentEvent {
  /** The `event:` field, "message" when absent. */
  event: string;
  data: string;
}

export async function* parseServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder(); // strips a leading BOM
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let done = false;

  /** Applies one line; returns the event a blank line completes. */
  const line = (text: string): ServerSentEvent | undefined => {
    if (text === "") {
      const complete = data.length > 0 ? { event: event || "message", data: data.join("\n") } : undefined;
      event = "";
      data = [];
      return complete;
    }
    if (text.startsWith(":")) return undefined;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? "" : text.slice(text[colon + 1] === " " ? colon + 2 : colon + 1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    return undefined;
  };

  try {
    for (;;) {
      const chunk = await reader.read();
      done = chunk.done;
      buffer += chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
      let start = 0;
      for (;;) {
        const end = lineEnd(buffer, start);
        if (end === -1) break;
        // A \r as the last character may be the first half of \r\n: wait for the next chunk, unless there is none.
        if (buffer[end] === "\r" && end === buffer.length - 1 && !done) break;
        const complete = line(buffer.slice(start, end));
        start = end + (buffer[end] === "\r" && buffer[end + 1] === "\n" ? 2 : 1);
        if (complete) yield complete;
      }
      buffer = buffer.slice(start);
      if (done) return;
    }
  } finally {
    // The consumer stopped early (or a read failed): stop the producer too.
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Index of the next \r or \n at or after `from`, or -1. */
function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}

const ERROR_EVENT = Buffer.from("event: error");
const LF = 10;
const CR = 13;
const textDecoder = new TextDecoder();

/**
 * The `error.type` of an `event: error` among whole SSE events (Anthropic's mid-stream failure, e.g. overloaded_error),
 * or undefined. A native byte search first, so an ordinary chunk costs one scan; the field must be a whole line (text
 * inside a `data:` line is JSON, where a line break is always escaped).
 */
export function errorEventType(bytes: Uint8Array): string | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = buffer.indexOf(ERROR_EVENT); at !== -1; at = buffer.indexOf(ERROR_EVENT, at + 1)) {
    const after = buffer[at + ERROR_EVENT.length];
    if ((at === 0 || buffer[at - 1] === LF) && (after === LF || after === CR)) return typeOfErrorEvent(bytes.subarray(at));
  }
  return undefined;
}

function typeOfErrorEvent(bytes: Uint8Array): string {
  const event = textDecoder.decode(bytes).split(/\r?\n\r?\n/, 1)[0] ?? "";
  const data = /^data: ?(.*)$/m.exec(event)?.[1];
  try {
    const type = (JSON.parse(data ?? "") as { error?: { type?: unknown } }).error?.type;
    return typeof type === "string" && type !== "" ? type : "error";
  } catch {
    return "error";
  }
}
