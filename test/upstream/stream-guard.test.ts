import { describe, expect, test } from "bun:test";
import { guardStream, type StreamOutcome } from "../../src/upstream/stream-guard.ts";

const encoder = new TextEncoder();

/** A source stream that yields the given chunks, then ends — or fails — as told. */
function source(chunks: string[], end: "close" | "error" | "stall" = "close") {
  let index = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index < chunks.length) return controller.enqueue(encoder.encode(chunks[index++]));
      if (end === "close") return controller.close();
      if (end === "error") return controller.error(new Error("ECONNRESET"));
      await new Promise(() => {}); // stall forever
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, wasCancelled: () => cancelled };
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<{ reads: string[]; error?: string }> {
  const reads: string[] = [];
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { reads };
      reads.push(decoder.decode(value));
    }
  } catch (error) {
    return { reads, error: (error as Error).message };
  }
}

function guard(chunks: string[], end: "close" | "error" | "stall", idleTimeoutMs = 5000) {
  const outcomes: StreamOutcome[] = [];
  const aborts: string[] = [];
  const src = source(chunks, end);
  const stream = guardStream(src.stream, { idleTimeoutMs, abort: (r) => aborts.push(r), onEnd: (o) => outcomes.push(o) });
  return { stream, outcomes, aborts, src };
}

describe("guardStream (SSE)", () => {
  test("whole events pass through as they come, byte for byte", async () => {
    const events = ["event: a\ndata: {}\n\n", "event: b\ndata: {}\n\nevent: c\ndata: {}\n\n"];
    const g = guard(events, "close");
    expect((await collect(g.stream)).reads).toEqual(events);
    expect(g.outcomes).toEqual(["complete"]);
  });

  test("an event split across chunks is forwarded once whole, never half", async () => {
    const g = guard(['event: a\ndata: {"x"', ":1}\n\nevent: b\n", "data: {}\n\n"], "close");
    expect((await collect(g.stream)).reads).toEqual(['event: a\ndata: {"x":1}\n\n', "event: b\ndata: {}\n\n"]);
  });

  test("upstream reset mid-stream → the partial event is dropped and a final error event ends the stream", async () => {
    const g = guard(['event: a\ndata: {}\n\nevent: b\ndata: {"partial'], "error");
    const { reads, error } = await collect(g.stream);
    expect(error).toBeUndefined();
    expect(reads[0]).toBe("event: a\ndata: {}\n\n");
    expect(reads[1]).toStartWith("event: error\ndata: ");
    const data = JSON.parse(reads[1]!.split("data: ")[1]!);
    expect(data).toEqual({ type: "error", error: { type: "api_error", message: expect.stringContaining("failed mid-response") } });
    expect(reads.join("")).not.toContain("partial");
    expect(g.outcomes).toEqual(["upstream_error"]);
  });

  test("idle upstream → abort is called and the client gets a timeout_error event", async () => {
    const outcomes: StreamOutcome[] = [];
    let fail: (e: Error) => void = () => {};
    const src = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("event: a\ndata: {}\n\n"));
        fail = (e) => controller.error(e);
      },
    });
    const stream = guardStream(src, { idleTimeoutMs: 50, abort: (r) => fail(new Error(r)), onEnd: (o) => outcomes.push(o) });
    const { reads } = await collect(stream);
    expect(reads.at(-1)).toContain('"type":"timeout_error"');
    expect(outcomes).toEqual(["idle_timeout"]);
  });

  test("client cancel → upstream read cancelled and abort called", async () => {
    const g = guard(["event: a\ndata: {}\n\n"], "stall");
    const reader = g.stream.getReader();
    await reader.read();
    await reader.cancel("bye");
    expect(g.src.wasCancelled()).toBe(true);
    expect(g.aborts[0]).toContain("client closed");
    expect(g.outcomes).toEqual(["client_closed"]);
  });
});
