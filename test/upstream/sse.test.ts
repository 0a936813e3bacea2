import { describe, expect, test } from "bun:test";
import { errorEventType, parseServerSentEvents, type ServerSentEvent } from "../../src/upstream/sse.ts";

const encoder = new TextEncoder();

/** A body that delivers `parts` as separate chunks (strings, or raw bytes to split inside a character). */
const body = (parts: (string | Uint8Array)[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(typeof part === "string" ? encoder.encode(part) : part);
      controller.close();
    },
  });

async function collect(parts: (string | Uint8Array)[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of parseServerSentEvents(body(parts))) events.push(event);
  return events;
}

const ANTHROPIC = 'event: message_start\ndata: {"type":"message_start"}\n\nevent: ping\ndata: {"type": "ping"}\n\n';
const TWO = [
  { event: "message_start", data: '{"type":"message_start"}' },
  { event: "ping", data: '{"type": "ping"}' },
];

describe("parseServerSentEvents", () => {
  test.each<[string, (string | Uint8Array)[], ServerSentEvent[]]>([
    ["whole events in one chunk", [ANTHROPIC], TWO],
    [
      "split inside a field name",
      ["event: message_start\nda", 'ta: {"type":"message_start"}\n\nevent: ping\ndata: {"type": "ping"}\n\n'],
      TWO,
    ],
    [
      "split between the two newlines that end an event",
      ['event: message_start\ndata: {"type":"message_start"}\n', '\nevent: ping\ndata: {"type": "ping"}\n\n'],
      TWO,
    ],
    ["one byte at a time", [...encoder.encode(ANTHROPIC)].map((byte) => new Uint8Array([byte])), TWO],
    ["\\r\\n line ends", [ANTHROPIC.replaceAll("\n", "\r\n")], TWO],
    ["\\r\\n split across chunks", ["event: ping\r", '\ndata: {"type": "ping"}\r\n\r', "\n"], [TWO[1]!]],
    ["bare \\r line ends", [ANTHROPIC.replaceAll("\n", "\r")], TWO],
    ["several data lines join with \\n", ["data: a\ndata: b\ndata:\ndata: c\n\n"], [{ event: "message", data: "a\nb\n\nc" }]],
    ["no event field → message", ['data: {"x":1}\n\n'], [{ event: "message", data: '{"x":1}' }]],
    ["comments are skipped", [": keep-alive\n\n: hi\nevent: ping\ndata: {}\n\n"], [{ event: "ping", data: "{}" }]],
    [
      "only one space after the colon is removed",
      ["data:  two spaces\n\n", "data:none\n\n"],
      [
        { event: "message", data: " two spaces" },
        { event: "message", data: "none" },
      ],
    ],
    ["id and retry are ignored; unknown fields too", ["id: 7\nretry: 100\nfoo: bar\nevent: e\ndata: d\n\n"], [{ event: "e", data: "d" }]],
    ["an event without data is not dispatched", ["event: ping\n\nevent: e\ndata: d\n\n"], [{ event: "e", data: "d" }]],
    [
      "the event name does not leak into the next event",
      ["event: a\ndata: 1\n\ndata: 2\n\n"],
      [
        { event: "a", data: "1" },
        { event: "message", data: "2" },
      ],
    ],
    ["a leading BOM is skipped", ["\uFEFFevent: e\ndata: d\n\n"], [{ event: "e", data: "d" }]],
    [
      "a multi-byte character split across chunks",
      [encoder.encode("data: é").subarray(0, 7), encoder.encode("data: é\n\n").subarray(7)],
      [{ event: "message", data: "é" }],
    ],
    [
      "an unterminated event at the end is dropped (it was cut off)",
      ['event: e\ndata: 1\n\nevent: f\ndata: {"partial'],
      [{ event: "e", data: "1" }],
    ],
    ["blank lines between events are harmless", ["\n\n\nevent: e\ndata: 1\n\n\n\n"], [{ event: "e", data: "1" }]],
  ])("%s", async (_name, parts, expected) => {
    expect(await collect(parts)).toEqual(expected);
  });

  test("events are yielded as they complete, before the body ends", async () => {
    let push!: (text: string) => void;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => controller.enqueue(encoder.encode(text));
      },
    });
    const events = parseServerSentEvents(stream);
    push("event: a\ndata: 1\n\n");
    expect((await events.next()).value).toEqual({ event: "a", data: "1" });
    push("event: b\n");
    push("data: 2\n\n");
    expect((await events.next()).value).toEqual({ event: "b", data: "2" });
    await events.return(undefined);
  });

  test("stopping early cancels the body (so an upstream request is aborted)", async () => {
    let cancelled: unknown = "not cancelled";
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(encoder.encode("data: tick\n\n"));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    for await (const event of parseServerSentEvents(stream)) {
      expect(event.data).toBe("tick");
      break;
    }
    expect(cancelled).toBeUndefined();
  });

  test("a failing body rejects the iteration", async () => {
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (pulls++ === 0) return controller.enqueue(encoder.encode("data: 1\n\n"));
          controller.error(new Error("connection reset"));
        },
      },
      { highWaterMark: 0 },
    );
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of parseServerSentEvents(stream)) seen.push(event.data);
    })().catch((caught: Error) => caught);
    expect(seen).toEqual(["1"]);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe("connection reset");
  });
});

describe("errorEventType: Anthropic's event: error among whole events", () => {
  const bytes = (text: string) => encoder.encode(text);
  test.each([
    [
      "an error event after others",
      'event: ping\ndata: {"type":"ping"}\n\nevent: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
      "overloaded_error",
    ],
    [
      "an error event first, CRLF",
      'event: error\r\ndata: {"type":"error","error":{"type":"api_error","message":"x"}}\r\n\r\n',
      "api_error",
    ],
    ["an error event whose data is not JSON", "event: error\ndata: oops\n\n", "error"],
    ["no error event", 'event: message_stop\ndata: {"type":"message_stop"}\n\n', undefined],
    // The words inside a text delta are JSON in a data line: not an event field.
    ["the words in the model's text", 'event: content_block_delta\ndata: {"delta":{"text":"send event: error\\nnext"}}\n\n', undefined],
    ["another event name that starts the same", 'event: errors\ndata: {"type":"error","error":{"type":"x"}}\n\n', undefined],
  ])("%s", (_name, text, type) => {
    expect(errorEventType(bytes(text))).toBe(type);
  });
});
