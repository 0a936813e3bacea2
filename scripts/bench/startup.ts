/** Start-up time: spawning the compiled binary → its first 200 from /healthz. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, proxyEnv, waitHealthy } from "./processes.ts";
import { type Variant, variantOptions } from "./variants.ts";

export interface StartupResult {
  runs: number[];
  median: number;
  min: number;
  max: number;
}

async function startOnce(binary: string, upstreamUrl: string, variant: Variant): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "maximize-bench-start-"));
  const port = freePort();
  const env = proxyEnv({ binary, upstreamUrl, port, ...variantOptions(variant) }, dir);
  const started = performance.now();
  const child = Bun.spawn([resolve(binary), "serve"], { cwd: dir, env, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  const elapsed = await waitHealthy(`http://127.0.0.1:${port}/healthz`, started);
  child.kill("SIGKILL");
  await child.exited;
  return elapsed;
}

export async function measureStartup(binary: string, upstreamUrl: string, runs: number, variant: Variant): Promise<StartupResult> {
  await startOnce(binary, upstreamUrl, variant); // the first start pays for reading the binary from disk
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await startOnce(binary, upstreamUrl, variant));
  const sorted = [...times].sort((a, b) => a - b);
  return {
    runs: times,
    median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
}
