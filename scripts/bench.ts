#!/usr/bin/env bun
// Measures the compiled binary against a bare Bun passthrough, both in front of a fast fake upstream, in one run: the
// targets of issue 18 (CPU per request and per event, throughput, latency, memory, start-up), BENCHMARKS.md.
//
// `bun scripts/bench.ts --help` (scripts/bench/options.ts) lists the options. By default it prints a table and changes
// nothing: writing the tracked files (--write) and dropping the machine's page cache (--drop-caches) are asked for.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { type CpuCost, interleaved, requestWork, streamWork } from "./bench/cpu.ts";
import { load, loadTrio, warmUp, type LoadResult } from "./bench/load.ts";
import { HELP, parseBenchArgs } from "./bench/options.ts";
import { renderSoak, soak } from "./bench/soak.ts";
import { dropPageCache, freePort, memoryOf, rssMB, startProxy, startScript, type Child } from "./bench/processes.ts";
import { renderSvg, renderText, spliceMarkdown } from "./bench/report.ts";
import type { CpuResult, Machine, OpenAIResult, PinnedResult, Results, Trio, VariantResult } from "./bench/results.ts";
import { measureStartup } from "./bench/startup.ts";
import { holdStreams, pacing, streamLatency } from "./bench/stream.ts";
import { DIAGNOSTIC_VARIANTS, MAXIMIZE, type Variant, variantOptions } from "./bench/variants.ts";
import { measurePoolCost } from "./bench/accounts.ts";

const ROOT = resolve(import.meta.dir, "..");
const RESULTS = join(ROOT, "bench", "results.json");
const CHART = join(ROOT, "bench", "chart.svg");
const MARKDOWN = join(ROOT, "BENCHMARKS.md");

const PROMPT = "Say hello in one short sentence.";
/** One body serves /v1/messages and /v1/chat/completions: both read model, max_tokens, stream and messages. */
const MESSAGES_BODY = JSON.stringify({ model: "l", max_tokens: 256, messages: [{ role: "user", content: PROMPT }] });
const STREAM_BODY = JSON.stringify({ model: "l", max_tokens: 256, stream: true, messages: [{ role: "user", content: PROMPT }] });
const RESPONSES_BODY = JSON.stringify({ model: "l", max_output_tokens: 256, input: PROMPT });
const RESPONSES_STREAM_BODY = JSON.stringify({
  model: "l",
  max_output_tokens: 256,
  stream: true,
  input: PROMPT,
});
/** `user` becomes metadata.user_id upstream, where the bench upstream reads its pacing from. */
const RESPONSES_PACED_BODY = JSON.stringify({
  model: "l",
  max_output_tokens: 256,
  stream: true,
  user: "bench:events=20&gap=10",
  input: "Pace this.",
});
/** `user` becomes metadata.user_id upstream, where the bench upstream reads its pacing from. */
const CHAT_PACED_BODY = JSON.stringify({
  model: "l",
  max_tokens: 256,
  stream: true,
  user: "bench:events=20&gap=10",
  messages: [{ role: "user", content: "Pace this." }],
});

/**
 * Streams for the CPU per event: 200 deltas 1 ms apart (206 events), so the proxy reads and writes each event on its
 * own, as it does with a real answer arriving token by token. Unpaced, the fast upstream's events reach the proxy
 * many to a read and the figure would be per read, not per event. `metadata.user_id` and `user` carry the pacing to
 * the bench upstream through every route.
 */
const CPU_PACING = "bench:events=200&gap=1";
const CPU_UPSTREAM_EVENTS = 206;
const CPU_BODIES = {
  messages: JSON.stringify({
    model: "l",
    max_tokens: 256,
    stream: true,
    metadata: { user_id: CPU_PACING },
    messages: [{ role: "user", content: PROMPT }],
  }),
  chat: JSON.stringify({ model: "l", max_tokens: 256, stream: true, user: CPU_PACING, messages: [{ role: "user", content: PROMPT }] }),
  responses: JSON.stringify({ model: "l", max_output_tokens: 256, stream: true, user: CPU_PACING, input: PROMPT }),
};

interface Settings {
  loadSeconds: number;
  streamSamples: number;
  heldStreams: number;
  startupRuns: number;
  /** Non-stream requests per process for the CPU readings, over all rounds. */
  cpuRequests: number;
  /** Paced streams per process for the CPU readings, over all rounds, 64 at a time. */
  cpuStreams: number;
  /** The CPU readings are split into this many interleaved rounds. */
  cpuRounds: number;
}

const log = (line: string) => void process.stderr.write(`bench: ${line}\n`);

function machine(): Machine {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const release = existsSync("/etc/os-release")
    ? (/^PRETTY_NAME="?([^"\n]+)/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? "")
    : "";
  return {
    cpu,
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${release}`.trim(),
    bun: Bun.version,
  };
}

async function measureOpenAI(proxyUrl: string, settings: Settings): Promise<OpenAIResult> {
  const probe = await fetch(`${proxyUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: MESSAGES_BODY,
  });
  const text = await probe.text();
  if (probe.status !== 200)
    return { measured: false, reason: `POST /v1/chat/completions answered ${probe.status} in this build (${text.slice(0, 120)})` };
  const c1 = async (path: string, body: string) => {
    const options = { url: proxyUrl + path, body, connections: 1, seconds: settings.loadSeconds };
    await warmUp(options);
    return load(options);
  };
  return {
    measured: true,
    messages: await c1("/v1/messages", MESSAGES_BODY),
    chat: await c1("/v1/chat/completions", MESSAGES_BODY),
    messagesStream: await streamLatency(proxyUrl, "/v1/messages", STREAM_BODY, settings.streamSamples),
    chatStream: await streamLatency(proxyUrl, "/v1/chat/completions", STREAM_BODY, settings.streamSamples),
    chatPacing: await pacing(proxyUrl, "/v1/chat/completions", CHAT_PACED_BODY, 10),
    responses: await c1("/v1/responses", RESPONSES_BODY),
    responsesStream: await streamLatency(proxyUrl, "/v1/responses", RESPONSES_STREAM_BODY, settings.streamSamples),
    responsesPacing: await pacing(proxyUrl, "/v1/responses", RESPONSES_PACED_BODY, 10),
  };
}

/** The c=64 trio again with the proxy alone on CPU 1 (scripts/bench/pinned.ts, run under `taskset -c 0`). */
async function measurePinned(binary: string, settings: Settings): Promise<PinnedResult> {
  if (process.platform !== "linux" || !Bun.which("taskset")) return { measured: false, reason: "needs Linux and taskset" };
  if (cpus().length < 2) return { measured: false, reason: "needs at least 2 cores" };
  const script = join(import.meta.dir, "bench", "pinned.ts");
  const child = Bun.spawn(
    ["taskset", "-c", "0", process.execPath, script, binary, String(settings.loadSeconds), MESSAGES_BODY, JSON.stringify(MAXIMIZE)],
    { stdin: "ignore", stdout: "pipe", stderr: "inherit" },
  );
  const [output, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  if (code !== 0) return { measured: false, reason: `scripts/bench/pinned.ts exited with ${code}` };
  return { measured: true, c64: JSON.parse(output) as Trio<LoadResult> };
}

/**
 * The proxy's CPU per request and per streamed event against the bare passthrough's (scripts/bench/cpu.ts), in
 * interleaved rounds. `extra`: more maximize processes (diagnostic variants) measured in the same rounds.
 */
async function measureCpu(
  bare: Child,
  bareLayers: Child,
  proxy: Child,
  settings: Settings,
  extra: Array<{ name: string; child: Child }>,
): Promise<{ cpu: CpuResult; extra: Array<{ request: CpuCost; event: CpuCost }> }> {
  const perRound = Math.round(settings.cpuRequests / settings.cpuRounds);
  const streamsPerRound = Math.round(settings.cpuStreams / settings.cpuRounds);
  const requests = (child: Child) => requestWork(`${child.url}/v1/messages`, child.pid, MESSAGES_BODY, perRound);
  const events = (child: Child, path: string, body: string) =>
    streamWork(child.url, path, child.pid, body, streamsPerRound, CPU_UPSTREAM_EVENTS);
  const request = await interleaved(
    { bare: requests(bare), proxy: requests(proxy), ...Object.fromEntries(extra.map((e) => [e.name, requests(e.child)])) },
    settings.cpuRounds,
  );
  const event = await interleaved(
    {
      bare: events(bare, "/v1/messages", CPU_BODIES.messages),
      bareLayers: events(bareLayers, "/v1/messages", CPU_BODIES.messages),
      messages: events(proxy, "/v1/messages", CPU_BODIES.messages),
      chat: events(proxy, "/v1/chat/completions", CPU_BODIES.chat),
      responses: events(proxy, "/v1/responses", CPU_BODIES.responses),
      ...Object.fromEntries(extra.map((e) => [e.name, events(e.child, "/v1/messages", CPU_BODIES.messages)])),
    },
    settings.cpuRounds,
  );
  const pick = (costs: Record<string, CpuCost>, key: string) => costs[key] as CpuCost;
  return {
    cpu: {
      request: { bare: request.bare, proxy: request.proxy },
      event: {
        bare: event.bare,
        bareLayers: event.bareLayers,
        messages: event.messages,
        chat: event.chat,
        responses: event.responses,
      },
      streams: settings.cpuStreams,
      upstreamEvents: CPU_UPSTREAM_EVENTS,
      gapMs: 1,
    },
    extra: extra.map((e) => ({ request: pick(request, e.name), event: pick(event, e.name) })),
  };
}

/** A diagnostic variant's latency at c=1 and c=64 (its CPU is measured with the others, in measureCpu). */
async function variantLatency(proxy: Child, settings: Settings): Promise<{ c1: LoadResult; c64: LoadResult }> {
  const run = async (connections: number) => {
    const options = { url: `${proxy.url}/v1/messages`, body: MESSAGES_BODY, connections, seconds: settings.loadSeconds };
    await warmUp(options);
    return load(options);
  };
  return { c1: await run(1), c64: await run(64) };
}

/** The commit benched, `-dirty` when tracked files differ from it. */
function commitOf(): string {
  const head = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: ROOT });
  if (head.exitCode !== 0) return "unknown";
  const status = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], { cwd: ROOT });
  return head.stdout.toString().trim() + (status.stdout.toString().trim() === "" ? "" : "-dirty");
}

async function measure(binary: string, settings: Settings, dropCaches: boolean): Promise<Results> {
  const children: Child[] = [];
  const keep = <T extends Child>(child: T) => {
    children.push(child);
    return child;
  };
  const startMaximize = (upstreamUrl: string) => startProxy({ binary, upstreamUrl, port: freePort(), ...variantOptions(MAXIMIZE) });
  try {
    const pageCacheDropped = dropCaches && dropPageCache();
    log(
      pageCacheDropped
        ? "page cache dropped (RSS comparable between runs)"
        : dropCaches
          ? "page cache not dropped (needs root on Linux): RSS may read a few MB high"
          : "page cache not dropped (--drop-caches does it, as root): RSS may read a few MB high",
    );
    const upstream = keep(await startScript("upstream.ts"));
    const bare = keep(await startScript("bare.ts", [upstream.url]));
    const proxy = keep(await startMaximize(upstream.url));
    await Bun.sleep(300);
    const idle = memoryOf(proxy.pid);
    const origins = { direct: upstream.url, bare: bare.url, proxy: proxy.url };

    log("non-stream latency, concurrency 1");
    const c1 = await loadTrio(origins, "/v1/messages", MESSAGES_BODY, 1, settings.loadSeconds);
    log("non-stream latency and throughput, concurrency 64");
    const c64 = await loadTrio(origins, "/v1/messages", MESSAGES_BODY, 64, settings.loadSeconds);
    log("streaming: first and last event");
    const stream = {
      direct: await streamLatency(upstream.url, "/v1/messages", STREAM_BODY, settings.streamSamples),
      bare: await streamLatency(bare.url, "/v1/messages", STREAM_BODY, settings.streamSamples),
      proxy: await streamLatency(proxy.url, "/v1/messages", STREAM_BODY, settings.streamSamples),
    };
    log("streaming: pacing");
    const paced = "/v1/messages?events=20&gap=10";
    const pace = {
      direct: await pacing(upstream.url, paced, STREAM_BODY, 10),
      bare: await pacing(bare.url, paced, STREAM_BODY, 10),
      proxy: await pacing(proxy.url, paced, STREAM_BODY, 10),
    };
    log("OpenAI translation");
    const openai = await measureOpenAI(proxy.url, settings);
    const extras: Array<{ variant: Variant; name: string; child: Child }> = [];
    for (const variant of DIAGNOSTIC_VARIANTS) {
      const child = keep(await startProxy({ binary, upstreamUrl: upstream.url, port: freePort(), ...variantOptions(variant) }));
      extras.push({ variant, name: `variant${extras.length}`, child });
    }
    const latencies: Array<{ c1: LoadResult; c64: LoadResult }> = [];
    for (const extra of extras) {
      log(`variant: ${extra.variant.name}`);
      latencies.push(await variantLatency(extra.child, settings));
    }
    log(
      `CPU time: ${settings.cpuRequests} requests and ${settings.cpuStreams} paced streams per process, in ${settings.cpuRounds} interleaved rounds`,
    );
    const bareLayers = keep(await startScript("bare.ts", [upstream.url, "2"]));
    const { cpu, extra: extraCpu } = await measureCpu(bare, bareLayers, proxy, settings, extras);
    await bareLayers.stop();
    for (const extra of extras) await extra.child.stop();
    const variants = extras.flatMap((extra, i): VariantResult[] => {
      const latency = latencies[i];
      const cost = extraCpu[i];
      if (!latency || !cost) return [];
      return [{ name: extra.variant.name, note: extra.variant.note, ...latency, cpuRequest: cost.request, cpuEvent: cost.event }];
    });
    await Bun.sleep(300);
    const idleAfterLoadMB = rssMB(proxy.pid);
    log(`${settings.heldStreams} streams held open`);
    const held = await holdStreams(proxy.url, upstream.url, proxy.pid, settings.heldStreams, STREAM_BODY);
    await proxy.stop();
    log(`${settings.heldStreams} streams held open by a maximize that has served nothing else`);
    const fresh = keep(await startMaximize(upstream.url));
    const heldFresh = await holdStreams(fresh.url, upstream.url, fresh.pid, settings.heldStreams, STREAM_BODY);
    await fresh.stop();

    log(`start-up, ${settings.startupRuns} starts`);
    const startup = await measureStartup(binary, upstream.url, settings.startupRuns, MAXIMIZE);
    log("throughput, concurrency 64, proxy on a core of its own");
    const pinned = await measurePinned(binary, settings);
    log("the account pool in process: one account and three");
    const accounts = await measurePoolCost(JSON.parse(MESSAGES_BODY), settings.cpuRequests * 3);
    return {
      date: new Date().toISOString(),
      commit: commitOf(),
      machine: machine(),
      maximize: { binary, version: pkg.version, logLevel: MAXIMIZE.logLevel, variant: MAXIMIZE.note },
      settings,
      c1,
      c64,
      stream,
      pacing: pace,
      memory: {
        idleMB: idle.rssMB,
        idleAnonMB: idle.anonMB,
        idleFileMB: idle.fileMB,
        pageCacheDropped,
        idleAfterLoadMB,
        held,
        heldFresh,
      },
      pinned,
      startup,
      openai,
      cpu,
      variants,
      accounts,
    };
  } finally {
    for (const child of children.reverse()) await child.stop();
  }
}

/** The JSON to `out`; with `all`, the chart and the numbers in BENCHMARKS.md too. */
function publish(results: Results, out: string, all: boolean): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  if (!all) return;
  writeFileSync(CHART, renderSvg(results));
  if (existsSync(MARKDOWN)) writeFileSync(MARKDOWN, spliceMarkdown(readFileSync(MARKDOWN, "utf8"), results));
}

async function main(argv: string[]): Promise<void> {
  let options: ReturnType<typeof parseBenchArgs>;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(HELP);
    return;
  }
  if (options.report) {
    const results = JSON.parse(readFileSync(RESULTS, "utf8")) as Results;
    if (options.write) publish(results, RESULTS, true);
    console.log(renderText(results));
    return;
  }
  const binary = resolve(options.binary ?? join(ROOT, "dist", "maximize"));
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`npm run build\` first`);
  if (options.soak) {
    const size = options.quick
      ? { requests: 20_000, streams: 2_000, concurrency: 32 }
      : { requests: 200_000, streams: 20_000, concurrency: 32 };
    const result = await soak(binary, size, log);
    console.log(renderSoak(result));
    if (result.checks.some((check) => !check.ok)) process.exit(1);
    return;
  }
  const settings: Settings = options.quick
    ? { loadSeconds: 1, streamSamples: 30, heldStreams: 300, startupRuns: 5, cpuRequests: 2_000, cpuStreams: 128, cpuRounds: 2 }
    : { loadSeconds: 5, streamSamples: 200, heldStreams: 1000, startupRuns: 15, cpuRequests: 30_000, cpuStreams: 768, cpuRounds: 3 };
  const started = performance.now();
  const results = await measure(binary, settings, options.dropCaches);
  console.log(renderText(results));
  const took = `done in ${((performance.now() - started) / 1000).toFixed(0)} s`;
  if (options.out !== undefined) publish(results, resolve(options.out), false);
  if (options.write) publish(results, RESULTS, true);
  const wrote = [options.out && resolve(options.out), options.write && "bench/results.json, bench/chart.svg, BENCHMARKS.md"].filter(
    Boolean,
  );
  log(wrote.length > 0 ? `${took} → ${wrote.join("; ")}` : `${took}; no file written (--write updates the tracked results)`);
}

if (import.meta.main) await main(process.argv.slice(2));
