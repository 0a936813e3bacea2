#!/usr/bin/env bun
/**
 * The floor to compare maximize with: a bare Bun passthrough with no features (no auth, shaping, validation,
 * guard, logging, metrics). `bun scripts/bench/bare.ts UPSTREAM_URL` prints {"port":N} when it listens.
 */
const upstream = process.argv[2];
if (!upstream) throw new Error("usage: bare.ts UPSTREAM_URL");

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
    return new Response(response.body, {
      status: response.status,
      headers: { "content-type": response.headers.get("content-type") ?? "application/json" },
    });
  },
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
