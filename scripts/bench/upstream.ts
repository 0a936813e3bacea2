#!/usr/bin/env bun
/**
 * A fast fake Anthropic upstream for benchmarks (test/support/fake-anthropic.ts is the strict one, for correctness).
 * Speaks the same wire format with canned answers:
 *
 *   POST /v1/messages                    JSON message, or SSE when the body says "stream": true
 *        ?events=N                       SSE: N content_block_delta events (default 96, ≈100 events in all)
 *        ?gap=MS                         SSE: wait MS between events (default 0: as fast as possible)
 *        ?hold=1                         SSE: send message_start, then hold the stream open until POST /release
 *        (the same options may come as body metadata.user_id "bench:events=20&gap=10" — what an OpenAI
 *        client's `user` field becomes — for routes that do not pass a query string on)
 *   POST /v1/messages/count_tokens       {"input_tokens":12}
 *   GET  /v1/models                      one page with one Sonnet (what maximize fetches at start-up for its nicknames)
 *   GET  /stats                          {"active":n,"peak":n} open SSE streams now / at most (POST /stats/reset)
 *   POST /release                        ends every held stream
 *
 * Run as its own process: `bun scripts/bench/upstream.ts [port]` prints {"port":N} on its first stdout line.
 */

const encoder = new TextEncoder();

const MESSAGE = JSON.stringify({
  id: "msg_bench0000000000000000000",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-5-5",
  content: [{ type: "text", text: "Hello! This is a canned answer from the benchmark upstream, about the size of a short reply." }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 24, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
});

const MODELS = {
  data: [
    {
      type: "model",
      id: "claude-sonnet-5-5",
      display_name: "Claude Sonnet 5.5",
      created_at: "2026-09-28T00:00:00Z",
      lifecycle: "active",
      line: "sonnet",
    },
  ],
  has_more: false,
  first_id: "claude-sonnet-5-5",
  last_id: "claude-sonnet-5-5",
};

const event = (name: string, data: unknown) => encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);

/** The events of one streamed answer with `deltas` text deltas: deltas + 6 events in all. */
function streamEvents(deltas: number): { head: Uint8Array[]; body: Uint8Array[] } {
  const head = [
    event("message_start", {
      type: "message_start",
      message: {
        id: "msg_bench",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-5-5",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 1 },
      },
    }),
    event("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
  ];
  const body = Array.from({ length: deltas }, (_, i) =>
    event("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: `word${i} ` } }),
  );
  body.push(
    event("ping", { type: "ping" }),
    event("content_block_stop", { type: "content_block_stop", index: 0 }),
    event("message_delta", {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: deltas },
    }),
    event("message_stop", { type: "message_stop" }),
  );
  return { head, body };
}

interface StreamPlan {
  deltas: number;
  gapMs: number;
  hold: boolean;
}

interface Streams {
  active: number;
  peak: number;
  held: Set<() => void>;
}

/**
 * The plan headers a subscription answer carries (docs/PROTOCOL.md §8), so the bench pays for maximize's reading of
 * them as a real subscription does.
 */
const PLAN_HEADERS = {
  "anthropic-ratelimit-unified-status": "allowed",
  "anthropic-ratelimit-unified-reset": "1800000000",
  "anthropic-ratelimit-unified-representative-claim": "five_hour",
  "anthropic-ratelimit-unified-5h-utilization": "0.12",
  "anthropic-ratelimit-unified-5h-reset": "1800000000",
  "anthropic-ratelimit-unified-7d-utilization": "0.34",
  "anthropic-ratelimit-unified-7d-reset": "1800600000",
};
const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "request-id": "req_bench",
  ...PLAN_HEADERS,
};

function sseResponse(plan: StreamPlan, streams: Streams): Response {
  const { head, body } = streamEvents(plan.deltas);
  const queue = [...head, ...body];
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    streams.active--;
  };
  streams.active++;
  streams.peak = Math.max(streams.peak, streams.active);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (plan.hold && sent === 1) await new Promise<void>((resolve) => streams.held.add(resolve));
        else if (plan.gapMs > 0 && sent > 0) await Bun.sleep(plan.gapMs);
        const next = queue[sent++];
        if (!next || !open) {
          close();
          return controller.close();
        }
        controller.enqueue(next);
      },
      cancel: close,
    },
    { highWaterMark: 0 },
  );
  return new Response(stream, { headers: SSE_HEADERS });
}

interface Body {
  stream?: boolean;
  metadata?: { user_id?: string };
}

function planOf(url: URL, body: Body): StreamPlan {
  const user = body.metadata?.user_id;
  const params = user?.startsWith("bench:") ? new URLSearchParams(user.slice(6)) : url.searchParams;
  return {
    deltas: Number(params.get("events") ?? 96),
    gapMs: Number(params.get("gap") ?? 0),
    hold: params.get("hold") === "1",
  };
}

export function createHandler(streams: Streams) {
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname === "/v1/messages" && request.method === "POST") {
      const body = (await request.json()) as Body;
      if (body.stream === true) return sseResponse(planOf(url, body), streams);
      return new Response(MESSAGE, { headers: { "content-type": "application/json", "request-id": "req_bench", ...PLAN_HEADERS } });
    }
    if (url.pathname === "/v1/messages/count_tokens") return Response.json({ input_tokens: 12 });
    if (url.pathname === "/v1/models") return Response.json(MODELS);
    if (url.pathname === "/stats") return Response.json({ active: streams.active, peak: streams.peak });
    if (url.pathname === "/stats/reset") {
      streams.peak = streams.active;
      return Response.json({ active: streams.active, peak: streams.peak });
    }
    if (url.pathname === "/release") {
      const held = [...streams.held];
      streams.held.clear();
      for (const release of held) release();
      return Response.json({ released: held.length });
    }
    return Response.json({ type: "error", error: { type: "not_found_error", message: "not found" } }, { status: 404 });
  };
}

if (import.meta.main) {
  const streams: Streams = { active: 0, peak: 0, held: new Set() };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: Number(process.argv[2] ?? 0),
    idleTimeout: 0,
    development: false,
    fetch: createHandler(streams),
  });
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
}
