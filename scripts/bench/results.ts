/** The shape of bench/results.json and the targets from issue #7, checked against it. */
import type { LoadResult } from "./load.ts";
import type { StartupResult } from "./startup.ts";
import type { HeldStreams, Pacing, StreamLatency } from "./stream.ts";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGB: number;
  os: string;
  bun: string;
}

/** The same load against the upstream directly, a bare passthrough and maximize. */
export interface Trio<T> {
  direct: T;
  bare: T;
  proxy: T;
}

export type OpenAIResult =
  | {
      measured: true;
      messages: LoadResult;
      chat: LoadResult;
      messagesStream: StreamLatency;
      chatStream: StreamLatency;
      chatPacing: Pacing;
      /** Absent in results from before the Responses API. */
      responses?: LoadResult;
      responsesStream?: StreamLatency;
      responsesPacing?: Pacing;
    }
  | { measured: false; reason: string };

/** The c=64 load with the load generator and upstream on CPU 0 and the proxy alone on CPU 1. */
export type PinnedResult = { measured: true; c64: Trio<LoadResult> } | { measured: false; reason: string };

export interface Results {
  date: string;
  machine: Machine;
  maximize: { binary: string; version: string; logLevel: string };
  settings: { loadSeconds: number; streamSamples: number; heldStreams: number; startupRuns: number };
  c1: Trio<LoadResult>;
  c64: Trio<LoadResult>;
  stream: Trio<StreamLatency>;
  pacing: { direct: Pacing; proxy: Pacing };
  memory: {
    idleMB: number;
    /** Split of idleMB into the process's own memory and mapped executable pages (absent in older results). */
    idleAnonMB?: number;
    idleFileMB?: number;
    pageCacheDropped?: boolean;
    idleAfterLoadMB: number;
    held: HeldStreams;
  };
  pinned?: PinnedResult;
  startup: StartupResult;
  openai: OpenAIResult;
  infoLogging: { c1: LoadResult; c64: LoadResult };
}

export interface Check {
  name: string;
  value: string;
  target: string;
  ok: boolean;
}

const ms = (value: number) => `${value.toFixed(2)} ms`;

/** Added latency is the proxy's percentile minus the direct one, measured in the same run. */
export const added = (trio: Trio<LoadResult>, key: "p50" | "p90" | "p99", via: "proxy" | "bare" = "proxy") =>
  trio[via][key] - trio.direct[key];

export function checks(r: Results): Check[] {
  const ratio = r.c64.proxy.rps / r.c64.direct.rps;
  const ttfb = r.stream.proxy.ttfbP50 - r.stream.direct.ttfbP50;
  const held = r.memory.held;
  return [
    { name: "added p50, c=1", value: ms(added(r.c1, "p50")), target: "≤ 0.3 ms", ok: added(r.c1, "p50") <= 0.3 },
    { name: "added p99, c=1", value: ms(added(r.c1, "p99")), target: "≤ 4 ms", ok: added(r.c1, "p99") <= 4 },
    { name: "added p99, c=64", value: ms(added(r.c64, "p99")), target: "≤ 4 ms", ok: added(r.c64, "p99") <= 4 },
    {
      name: "throughput c=64, proxy/direct",
      value: `${(ratio * 100).toFixed(0)} % (bare ${((r.c64.bare.rps / r.c64.direct.rps) * 100).toFixed(0)} %)`,
      target: "≥ 85 %",
      ok: ratio >= 0.85,
    },
    ...(r.pinned?.measured
      ? [
          {
            name: "throughput c=64, proxy alone on a core",
            value: `${((r.pinned.c64.proxy.rps / r.pinned.c64.direct.rps) * 100).toFixed(0)} % (bare ${((r.pinned.c64.bare.rps / r.pinned.c64.direct.rps) * 100).toFixed(0)} %)`,
            target: "≥ 85 %",
            ok: r.pinned.c64.proxy.rps / r.pinned.c64.direct.rps >= 0.85,
          },
        ]
      : []),
    { name: "stream TTFB added", value: ms(ttfb), target: "≤ 0.5 ms", ok: ttfb <= 0.5 },
    {
      name: "events not coalesced (paced 10 ms)",
      value: `${r.pacing.proxy.coalescedReads} coalesced, gap p50 ${ms(r.pacing.proxy.gapP50)}`,
      target: "0 coalesced",
      ok: r.pacing.proxy.coalescedReads === 0,
    },
    { name: "RSS idle", value: `${r.memory.idleMB.toFixed(1)} MB`, target: "≤ 40 MB", ok: r.memory.idleMB <= 40 },
    { name: `RSS, ${held.requested} open streams`, value: `${held.rssMB.toFixed(1)} MB`, target: "≤ 100 MB", ok: held.rssMB <= 100 },
    {
      name: `all ${held.requested} open at the upstream at once`,
      value: `${held.openAtUpstream} (${held.completed} completed)`,
      target: `${held.requested}`,
      ok: held.openAtUpstream === held.requested && held.completed === held.requested,
    },
    { name: "start-up median", value: ms(r.startup.median), target: "≤ 25 ms", ok: r.startup.median <= 25 },
  ];
}
