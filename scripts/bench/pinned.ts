#!/usr/bin/env bun
/**
 * Throughput at c=64 with the proxy on a core of its own, as it would be in real use, where the load and the
 * upstream are not on the proxy's machine. bench.ts runs this script under `taskset -c 0`: this process (the load
 * generator) and the upstream share CPU 0, and the bare passthrough or maximize gets CPU 1 to itself.
 *
 *   taskset -c 0 bun scripts/bench/pinned.ts BINARY SECONDS BODY VARIANT   → one JSON line: { direct, bare, proxy }
 *
 * VARIANT is the maximize configuration as JSON (scripts/bench/variants.ts).
 */
import { loadTrio } from "./load.ts";
import { freePort, startProxy, startScript, type Child } from "./processes.ts";
import { type Variant, variantOptions } from "./variants.ts";

const [binary, seconds, body, variantJson] = process.argv.slice(2);
if (!binary || !seconds || !body || !variantJson) throw new Error("usage: pinned.ts BINARY SECONDS BODY VARIANT");
const variant = JSON.parse(variantJson) as Variant;

const PROXY_CPU = 1;
const children: Child[] = [];
try {
  const upstream = await startScript("upstream.ts");
  children.push(upstream);
  const bare = await startScript("bare.ts", [upstream.url], PROXY_CPU);
  children.push(bare);
  const proxy = await startProxy({
    binary,
    upstreamUrl: upstream.url,
    port: freePort(),
    ...variantOptions(variant),
    cpu: PROXY_CPU,
  });
  children.push(proxy);
  const result = await loadTrio({ direct: upstream.url, bare: bare.url, proxy: proxy.url }, "/v1/messages", body, 64, Number(seconds));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  for (const child of children.reverse()) await child.stop();
}
