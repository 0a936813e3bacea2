/** The shape of bench/results.json and the targets of issue 18, checked against it. */
import type { CpuCost } from "./cpu.ts";
import type { LoadResult } from "./load.ts";
import type { StartupResult } from "./startup.ts";
import type { HeldStreams, Pacing, StreamLatency } from "./stream.ts";
import type { PoolCost } from "./accounts.ts";
import { ONE_ACCOUNT } from "./variants.ts";

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

/**
 * CPU time of the proxy process per unit of work (scripts/bench/cpu.ts). Streams are paced (`gapMs` between events,
 * as a real answer arrives token by token), so each event is read and written on its own; per event = the CPU of the
 * whole stream ÷ the events the upstream sent. The bare passthrough relays /v1/messages only: the OpenAI routes are
 * compared with it relaying the same Anthropic stream.
 */
export interface CpuResult {
  request: { bare: CpuCost; proxy: CpuCost };
  /** `bareLayers`: the bare passthrough with two JavaScript stream layers, as maximize has (scripts/bench/bare.ts). */
  event: { bare: CpuCost; bareLayers?: CpuCost; messages: CpuCost; chat: CpuCost; responses: CpuCost };
  streams: number;
  upstreamEvents: number;
  gapMs: number;
}

/** A diagnostic variant of maximize (scripts/bench/variants.ts): latency and CPU only. */
export interface VariantResult {
  name: string;
  note: string;
  c1: LoadResult;
  c64: LoadResult;
  cpuRequest: CpuCost;
  cpuEvent: CpuCost;
}

export interface Results {
  date: string;
  /** `git describe`-style commit of the tree that was benched (absent in older results). */
  commit?: string;
  machine: Machine;
  /** `variant`: what the maximize rows ran with (absent in older results: log level warn, nothing else). */
  maximize: { binary: string; version: string; logLevel: string; variant?: string };
  settings: {
    loadSeconds: number;
    streamSamples: number;
    heldStreams: number;
    startupRuns: number;
    cpuRequests?: number;
    cpuStreams?: number;
    cpuRounds?: number;
  };
  c1: Trio<LoadResult>;
  c64: Trio<LoadResult>;
  stream: Trio<StreamLatency>;
  pacing: { direct: Pacing; proxy: Pacing; bare?: Pacing };
  memory: {
    idleMB: number;
    /** Split of idleMB into the process's own memory and mapped executable pages (absent in older results). */
    idleAnonMB?: number;
    idleFileMB?: number;
    pageCacheDropped?: boolean;
    idleAfterLoadMB: number;
    /** The streams held open by the proxy that ran every test before (the target is judged on this one). */
    held: HeldStreams;
    /** The same held by a maximize started for it: what the streams cost on top of an idle proxy. */
    heldFresh?: HeldStreams;
  };
  pinned?: PinnedResult;
  startup: StartupResult;
  openai: OpenAIResult;
  cpu?: CpuResult;
  variants?: VariantResult[];
  /** The account pool's own cost per request, in process (scripts/bench/accounts.ts). */
  accounts?: PoolCost;
  /** Older results: a second maximize at log level info. */
  infoLogging?: { c1: LoadResult; c64: LoadResult };
}

export interface Check {
  name: string;
  /** maximize's figure, with its ratio or difference to the bare passthrough where the goal is relative. */
  value: string;
  /** The bare passthrough's figure in the same run ("" where it has none). */
  bare: string;
  target: string;
  /** undefined: not measured in this run. */
  ok: boolean | undefined;
}

const ms = (value: number) => `${value.toFixed(3)} ms`;
const signedMs = (value: number) => `${value >= 0 ? "+" : ""}${value.toFixed(2)} ms`;
const micros = (value: number) => `${value.toFixed(1)} µs`;
const times = (value: number) => `${value.toFixed(2)}×`;

/** Added latency: the proxy's percentile minus the reference's (the bare passthrough's), measured in the same run. */
export const added = (trio: Trio<LoadResult>, key: "p50" | "p90" | "p99", over: "bare" | "direct" = "bare") =>
  trio.proxy[key] - trio[over][key];

const notMeasured = (name: string, target: string): Check => ({ name, value: "not measured", bare: "", target, ok: undefined });

function latencyChecks(r: Results): Check[] {
  return (["c1", "c64"] as const).flatMap((level) =>
    (["p50", "p99"] as const).map((key) => {
      const limit = key === "p50" ? 0.3 : 4;
      const extra = added(r[level], key);
      return {
        name: `added latency ${key}, c=${level.slice(1)}`,
        value: `${signedMs(extra)} (${ms(r[level].proxy[key])})`,
        bare: ms(r[level].bare[key]),
        target: `≤ +${limit} ms`,
        ok: extra <= limit,
      };
    }),
  );
}

function cpuChecks(r: Results): Check[] {
  const names = [
    "CPU per non-stream request",
    "CPU per event, /v1/messages",
    "CPU per event, /v1/chat/completions",
    "CPU per event, /v1/responses",
  ];
  const limits = [1.4, 1.2, 2, 2];
  if (!r.cpu) return names.map((name, i) => notMeasured(name, `≤ ${limits[i]}× bare`));
  const { request, event } = r.cpu;
  const pairs: Array<[CpuCost, CpuCost]> = [
    [request.proxy, request.bare],
    [event.messages, event.bare],
    [event.chat, event.bare],
    [event.responses, event.bare],
  ];
  return pairs.map(([proxy, bare], i) => {
    const ratio = proxy.micros / bare.micros;
    return {
      name: names[i] ?? "",
      value: `${micros(proxy.micros)} = ${times(ratio)}`,
      bare: micros(bare.micros),
      target: `≤ ${limits[i]}× bare`,
      ok: ratio <= (limits[i] ?? 0),
    };
  });
}

export function checks(r: Results): Check[] {
  const held = r.memory.held;
  const ttfb = r.stream.proxy.ttfbP50 - r.stream.bare.ttfbP50;
  const paced = [r.pacing.proxy, ...(r.openai.measured ? [r.openai.chatPacing] : [])];
  const coalesced = paced.reduce((sum, p) => sum + p.coalescedReads, 0);
  const pinned = r.pinned?.measured
    ? (() => {
        const { bare, proxy } = r.pinned.c64;
        return {
          name: "throughput c=64, proxy alone on a core",
          value: `${proxy.rps.toFixed(0)} req/s = ${times(proxy.rps / bare.rps)}`,
          bare: `${bare.rps.toFixed(0)} req/s`,
          target: "≥ 0.75× bare",
          ok: proxy.rps / bare.rps >= 0.75,
        };
      })()
    : notMeasured("throughput c=64, proxy alone on a core", "≥ 0.75× bare");
  return [
    pinned,
    ...cpuChecks(r),
    ...latencyChecks(r),
    {
      name: "stream TTFB added",
      value: `${signedMs(ttfb)} (${ms(r.stream.proxy.ttfbP50)})`,
      bare: ms(r.stream.bare.ttfbP50),
      target: "≤ +0.5 ms",
      ok: ttfb <= 0.5,
    },
    {
      name: "events coalesced (10 ms apart; messages, chat)",
      value: `${coalesced} reads`,
      bare: r.pacing.bare ? `${r.pacing.bare.coalescedReads} reads` : "",
      target: "0",
      ok: coalesced === 0,
    },
    r.memory.idleAnonMB === undefined
      ? notMeasured("idle private memory (RssAnon)", "≤ 8 MB")
      : {
          name: "idle private memory (RssAnon)",
          value: `${r.memory.idleAnonMB.toFixed(1)} MB`,
          bare: "",
          target: "≤ 8 MB",
          ok: r.memory.idleAnonMB <= 8,
        },
    {
      name: `RSS with ${held.requested} streams open at the upstream`,
      value: `${held.rssMB.toFixed(1)} MB (${held.openAtUpstream} open, ${held.completed} completed)`,
      bare: "",
      target: "≤ 80 MB",
      ok: held.rssMB <= 80 && held.openAtUpstream === held.requested && held.completed === held.requested,
    },
    { name: "start-up median", value: ms(r.startup.median), bare: "", target: "≤ 20 ms", ok: r.startup.median <= 20 },
    accountsCheck(r),
  ];
}

/**
 * Issue 15: three accounts cost at most 5 % more per request than one. Judged on what the pool adds in process (end to
 * end, a request's CPU varies more than that between rounds), against a request's CPU with one account.
 */
function accountsCheck(r: Results): Check {
  const name = "per request, 3 accounts vs 1 (issue 15)";
  const one = r.variants?.find((variant) => variant.name === ONE_ACCOUNT);
  if (!r.cpu || !one || !r.accounts) return notMeasured(name, "≤ +5 % of a request's CPU");
  const added = r.accounts.threeMicros - r.accounts.oneMicros;
  const share = added / one.cpuRequest.micros;
  return {
    name,
    value: `pool +${added.toFixed(1)} µs = +${(share * 100).toFixed(1)} % (end to end ${times(r.cpu.request.proxy.micros / one.cpuRequest.micros)})`,
    bare: `one account: ${micros(one.cpuRequest.micros)}`,
    target: "≤ +5 % of a request's CPU",
    ok: share <= 0.05,
  };
}
