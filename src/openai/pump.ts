/**
 * The pump between an upstream Anthropic SSE body and the OpenAI chunks a client reads: events are parsed, translated
 * and written as each one arrives (never coalesced); the client going away stops the read and so aborts the upstream
 * request; a failure mid-stream ends the stream with an error chunk.
 */
import { failedMidResponse } from "../upstream/failures.ts";
import { parseServerSentEvents } from "../upstream/sse.ts";
/** What the pump drives: a translator from Anthropic events to the client's SSE text (Chat Completions or Responses). */
export interface StreamTranslator {
  event(name: string, data: unknown): string[];
  end(): string[];
  fail(error: unknown): string[];
  readonly closed: boolean;
}

const encoder = new TextEncoder();

/** The client's SSE text for an upstream Anthropic SSE body; `watcher` sees every event too (the thinking collector). */
export function chatStream(
  upstream: ReadableStream<Uint8Array>,
  translator: StreamTranslator,
  watcher?: { event(name: string, data: unknown): void; end(): void },
) {
  const events = parseServerSentEvents(upstream);
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // Loop until something is enqueued: a pull that enqueues nothing is not called again.
        for (;;) {
          let lines: string[];
          let last = false;
          try {
            const next = await events.next();
            if (next.done) {
              lines = translator.end();
              last = true;
              watcher?.end();
            } else {
              const data = parseData(next.value.data);
              watcher?.event(next.value.event, data);
              lines = translator.event(next.value.event, data);
            }
          } catch (error) {
            lines = translator.fail(failedMidResponse(error));
          }
          if (cancelled) return;
          if (lines.length > 0) controller.enqueue(encoder.encode(lines.join("")));
          if (last || translator.closed) {
            controller.close();
            if (!last) void events.return(undefined).catch(() => {}); // an error event: stop reading upstream
            return;
          }
          if (lines.length > 0) return;
        }
      },
      cancel() {
        // Stops reading the upstream body, which aborts the upstream request.
        cancelled = true;
        void events.return(undefined).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

/** Event data is JSON; anything else becomes an error the translator reports. */
function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return { type: "error", error: { type: "api_error", message: `the Anthropic API sent an unreadable event: ${data.slice(0, 200)}` } };
  }
}
