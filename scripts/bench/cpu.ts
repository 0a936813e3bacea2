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
  /** µs of the proxy's CPU per unit (request or event), over all rounds. */
  micros: number;
  /** Units measured in all (requests, or upstream events). */
  units: number;
  /** Seconds of CPU measured in all (each reading's resolution is 1/100 s). */
  cpuSeconds: number;
  /** Requests or streams that did not end in a whole 200. */
  failures: number;
  /** µs per unit in each round: their spread is this machine's noise (absent in older results). */
  rounds?: number[];
}

/** One reading: the CPU a process used for some work, and how many units that work was. */
interface Reading {
  cpuSeconds: number;
  units: number;
  failures: number;
}

/** Work to measure: warms up on its first call, then does its units and returns the process's CPU for them. */
export type CpuWork = () => Promise<Reading>;

/** Sends `requests` identical POSTs, `connections` at a time, per reading. */
export function requestWork(url: string, pid: number, body: string, requests: number, connections = 32): CpuWork {
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
  let warm = false;
  return async () => {
    if (!warm) await run(Math.max(500, Math.round(requests / 5))); // JIT, keep-alive pools
    warm = true;
    const before = cpuSeconds(pid);
    const result = await run(requests);
    return { cpuSeconds: cpuSeconds(pid) - before, units: requests, failures: result.errors + result.non2xx };
  };
}

/**
 * Runs `streams` streamed requests, `concurrency` at a time, per reading; the units are the events the upstream sent
 * (`upstreamEvents` per stream). So the CPU of the whole stream (request, headers, every event) is divided by the
 * upstream's events: for the OpenAI routes the proxy writes a different number of events than it reads, and counting
 * the upstream's keeps every route comparable with the bare passthrough relaying the same Anthropic stream.
 */
export function streamWork(
  url: string,
  path: string,
  pid: number,
  body: string,
  streams: number,
  upstreamEvents: number,
  concurrency = 64,
): CpuWork {
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
  let warm = false;
  return async () => {
    if (!warm) await run(Math.max(concurrency, Math.round(streams / 5)));
    warm = true;
    const before = cpuSeconds(pid);
    const failures = await run(streams);
    return { cpuSeconds: cpuSeconds(pid) - before, units: streams * upstreamEvents, failures };
  };
}

/**
 * Measures each piece of work `rounds` times, interleaved (A, B, C, A, B, C, …), so that the machine's slow and fast
 * moments (other jobs, the VM's neighbours) fall on all of them alike. Each figure is the CPU over all its rounds ÷ its
 * units over all rounds; the per-round figures show the spread.
 */
export async function interleaved<K extends string>(work: Record<K, CpuWork>, rounds: number): Promise<Record<K, CpuCost>> {
  const keys = Object.keys(work) as K[];
  const readings = new Map<K, Reading[]>(keys.map((key) => [key, []]));
  for (let round = 0; round < rounds; round++) for (const key of keys) readings.get(key)?.push(await work[key]());
  const costs = {} as Record<K, CpuCost>;
  for (const key of keys) {
    const all = readings.get(key) ?? [];
    const cpu = all.reduce((sum, r) => sum + r.cpuSeconds, 0);
    const units = all.reduce((sum, r) => sum + r.units, 0);
    costs[key] = {
      micros: (cpu / units) * 1e6,
      units,
      cpuSeconds: cpu,
      failures: all.reduce((sum, r) => sum + r.failures, 0),
      rounds: all.map((r) => (r.cpuSeconds / r.units) * 1e6),
    };
  }
  return costs;
}
