/**
 * Wraps an upstream SSE response body on its way to the client:
 * - an idle timeout, so a stalled upstream never hangs a client forever;
 * - only whole events are forwarded (a partial tail waits for its end), so that when the upstream
 *   fails mid-stream the client gets a final, well-formed `event: error` instead of a silent truncation;
 * - the client going away cancels the upstream read (and so aborts the upstream request).
 */
import { failedMidResponseMessage, idleTimeoutMessage } from "./failures.ts";

export type StreamOutcome = "complete" | "upstream_error" | "idle_timeout" | "client_closed";

export interface GuardOptions {
  idleTimeoutMs: number;
  /** Aborts the upstream request. */
  abort: (reason: string) => void;
  onEnd?: (outcome: StreamOutcome) => void;
  /** Sees each run of whole events on its way to the client (token counting). */
  onEvents?: (bytes: Uint8Array) => void;
}

const encoder = new TextEncoder();
const LF = 10;

export function sseErrorEvent(type: string, message: string): Uint8Array {
  return encoder.encode(`event: error\ndata: ${JSON.stringify({ type: "error", error: { type, message } })}\n\n`);
}

/** Index just past the last blank line ("\n\n") in `bytes`, or -1. */
function endOfLastEvent(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i > 0; i--) {
    if (bytes[i] === LF && (bytes[i - 1] === LF || (bytes[i - 1] === 13 && bytes[i - 2] === LF))) return i + 1;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export function guardStream(body: ReadableStream<Uint8Array>, options: GuardOptions): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let tail: Uint8Array | undefined;
  let lastActivity = Date.now();
  let idleFired = false;
  let ended = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const finish = (outcome: StreamOutcome) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    options.onEnd?.(outcome);
  };

  const arm = (delay: number) => {
    timer = setTimeout(() => {
      const idle = Date.now() - lastActivity;
      if (idle < options.idleTimeoutMs) return arm(options.idleTimeoutMs - idle);
      idleFired = true;
      options.abort("idle timeout");
    }, delay);
  };

  return new ReadableStream<Uint8Array>(
    {
      start() {
        arm(options.idleTimeoutMs);
      },
      async pull(controller) {
        // Loop until something is enqueued: a pull that enqueues nothing is not called again.
        for (;;) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (error) {
            const message = idleFired ? idleTimeoutMessage(Math.round(options.idleTimeoutMs / 1000)) : failedMidResponseMessage(error);
            controller.enqueue(sseErrorEvent(idleFired ? "timeout_error" : "api_error", message));
            controller.close();
            return finish(idleFired ? "idle_timeout" : "upstream_error");
          }
          lastActivity = Date.now();
          if (chunk.done) {
            if (tail) controller.enqueue(tail);
            controller.close();
            return finish("complete");
          }
          const bytes = tail ? concat(tail, chunk.value) : chunk.value;
          const end = endOfLastEvent(bytes);
          if (end === bytes.length) {
            tail = undefined;
            options.onEvents?.(bytes);
            return controller.enqueue(bytes);
          }
          tail = end === -1 ? bytes : bytes.subarray(end);
          if (end > 0) {
            options.onEvents?.(bytes.subarray(0, end));
            return controller.enqueue(bytes.subarray(0, end));
          }
        }
      },
      cancel(reason) {
        finish("client_closed");
        options.abort(`client closed the connection${reason ? `: ${String(reason)}` : ""}`);
        return reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
