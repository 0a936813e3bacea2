#!/usr/bin/env bun
/**
 * The floor to compare maximize with: a bare Bun passthrough with no features (no auth, shaping, validation,
 * guard, logging, metrics). `bun scripts/bench/bare.ts UPSTREAM_URL [LAYERS]` prints {"port":N} when it listens.
 *
 * LAYERS (default 0), a diagnostic: pass every response body through that many JavaScript ReadableStreams that copy
 * chunk by chunk, as maximize's stream guard and fetch-slot tracker do (src/upstream/stream-guard.ts,
 * src/upstream/http-client.ts). It shows what those layers cost on their own, next to Bun's native pipe.
 */
const upstream = process.argv[2];
if (!upstream) throw new Error("usage: bare.ts UPSTREAM_URL [LAYERS]");
const layers = Number(process.argv[3] ?? 0);

/** One pull-based copy of a body, the shape of maximize's layers (highWaterMark 0: nothing read ahead). */
function layer(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await reader.read();
        if (chunk.done) return controller.close();
        controller.enqueue(chunk.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 0,
  development: false,
  async fetch(request) {
    const url = new URL(request.url);
    const response = await fetch(upstream + url.pathname + url.search, {
      method: request.method,
      headers: { "content-type": "application/json" },
      body: request.method === "POST" ? await request.text() : undefined,
      signal: request.signal,
    });
    let body = response.body;
    for (let i = 0; i < layers && body; i++) body = layer(body);
    return new Response(body, {
      status: response.status,
      headers: { "content-type": response.headers.get("content-type") ?? "application/json" },
    });
  },
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
