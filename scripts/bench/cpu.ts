/**
 * CPU time per request and per streamed event: the proxy process's CPU time (user + system, all its threads) read
 * from /proc/PID/stat before and after a fixed amount of work, divided by that amount. Unlike throughput, this does
 * not depend on how the two shared cores are split between the load generator, the upstream and the proxy; it is
 * what a laptop's battery or a server's bill pays per request.
 */
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { timeStream } from "./sse-client.ts";

/** Clock ticks per second of /proc's utime and stime (USER_HZ; 100 on every Linux we know of). */
const TICKS = (() => {
  const run = Bun.spawnSync(["getconf", "CLK_TCK"]);
  const value = Number(run.stdout.toString().trim());
  return Number.isFinite(value) && value > 0 ? value : 100;
})();

/**
 * Seconds of CPU a process has used so far: utime + stime (fields 14 and 15 of /proc/PID/stat), which count every
 * thread of the process, the ones that have already exited too (Bun's fetch runs on a thread of its own).
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces: count fields from after its closing parenthesis (field 3 = index 0).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

export interface CpuCost {
  /** µs of the proxy's CPU per unit (request or event). */
  micros: number;
  /** Units measured (requests, or upstream events). */
  units: number;
  /** Seconds of CPU measured in all (the reading's resolution is 1/100 s). */
  cpuSeconds: number;
  /** Requests or streams that did not end in a whole 200. */
  failures: number;
}

/** Sends `requests` identical POSTs, `connections` at a time, and returns the proxy's CPU per request. */
export async function cpuPerRequest(url: string, pid: number, body: string, requests: number, connections = 32): Promise<CpuCost> {
  const run = (amount: number) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url,
          method: "POST",
          body,
          headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
          connections,
          amount,
        },
        (error: Error | null, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
      );
    });
  await run(Math.max(500, Math.round(requests / 10))); // warm-up: JIT, keep-alive pools
  const before = cpuSeconds(pid);
  const result = await run(requests);
  const used = cpuSeconds(pid) - before;
  return { micros: (used / requests) * 1e6, units: requests, cpuSeconds: used, failures: result.errors + result.non2xx };
}

/**
 * Runs `streams` streamed requests, `concurrency` at a time, and returns the proxy's CPU per upstream event: the CPU
 * of the whole stream (request, headers, every event) divided by the events the upstream sent. For the OpenAI
 * routes the proxy writes a different number of events than it reads; counting the upstream's keeps every route
 * comparable with the bare passthrough relaying the same Anthropic stream.
 */
export async function cpuPerStreamEvent(
  url: string,
  path: string,
  pid: number,
  body: string,
  streams: number,
  upstreamEvents: number,
  concurrency = 8,
): Promise<CpuCost> {
  const run = async (count: number) => {
    let next = 0;
    let failures = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        const timing = await timeStream(url, path, body);
        if (timing.status !== 200 || timing.eventTimes.length === 0) failures++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return failures;
  };
  await run(Math.max(20, Math.round(streams / 10)));
  const before = cpuSeconds(pid);
  const failures = await run(streams);
  const used = cpuSeconds(pid) - before;
  const units = streams * upstreamEvents;
  return { micros: (used / units) * 1e6, units, cpuSeconds: used, failures };
}
