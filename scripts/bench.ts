#!/usr/bin/env bun
// Measures maximize's overhead against a fast fake upstream, direct vs through the compiled binary, in one run.
//
// `bun scripts/bench.ts --help` (scripts/bench/options.ts) lists the options. By default it prints a table and changes
// nothing: writing the tracked files (--write) and dropping the machine's page cache (--drop-caches) are asked for.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { load, loadTrio, warmUp, type LoadResult } from "./bench/load.ts";
import { HELP, parseBenchArgs } from "./bench/options.ts";
import { renderSoak, soak } from "./bench/soak.ts";
import { dropPageCache, freePort, memoryOf, rssMB, startProxy, startScript, type Child } from "./bench/processes.ts";
import { renderSvg, renderText, spliceMarkdown } from "./bench/report.ts";
import type { Machine, OpenAIResult, PinnedResult, Results, Trio } from "./bench/results.ts";
import { measureStartup } from "./bench/startup.ts";
import { holdStreams, pacing, streamLatency } from "./bench/stream.ts";

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

interface Settings {
  loadSeconds: number;
  streamSamples: number;
  heldStreams: number;
  startupRuns: number;
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
  const child = Bun.spawn(
    [
      "taskset",
      "-c",
      "0",
      process.execPath,
      join(import.meta.dir, "bench", "pinned.ts"),
      binary,
      String(settings.loadSeconds),
      MESSAGES_BODY,
    ],
    {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "inherit",
    },
  );
  const [output, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  if (code !== 0) return { measured: false, reason: `scripts/bench/pinned.ts exited with ${code}` };
  return { measured: true, c64: JSON.parse(output) as Trio<LoadResult> };
}

async function measure(binary: string, settings: Settings, dropCaches: boolean): Promise<Results> {
  const children: Child[] = [];
  const keep = <T extends Child>(child: T) => {
    children.push(child);
    return child;
  };
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
    const proxy = keep(await startProxy({ binary, upstreamUrl: upstream.url, port: freePort(), logLevel: "warn" }));
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
    const pace = { direct: await pacing(upstream.url, paced, STREAM_BODY, 10), proxy: await pacing(proxy.url, paced, STREAM_BODY, 10) };
    log("OpenAI translation");
    const openai = await measureOpenAI(proxy.url, settings);
    await Bun.sleep(300);
    const idleAfterLoadMB = rssMB(proxy.pid);
    log(`${settings.heldStreams} streams held open`);
    const held = await holdStreams(proxy.url, upstream.url, proxy.pid, settings.heldStreams, STREAM_BODY);

    log("access log at info level");
    const info = keep(await startProxy({ binary, upstreamUrl: upstream.url, port: freePort(), logLevel: "info" }));
    const infoRun = async (connections: number) => {
      const options = { url: `${info.url}/v1/messages`, body: MESSAGES_BODY, connections, seconds: settings.loadSeconds };
      await warmUp(options);
      return load(options);
    };
    const infoLogging = { c1: await infoRun(1), c64: await infoRun(64) };

    log(`start-up, ${settings.startupRuns} starts`);
    const startup = await measureStartup(binary, upstream.url, settings.startupRuns);
    log("throughput, concurrency 64, proxy on a core of its own");
    const pinned = await measurePinned(binary, settings);
    return {
      date: new Date().toISOString(),
      machine: machine(),
      maximize: { binary, version: pkg.version, logLevel: "warn" },
      settings,
      c1,
      c64,
      stream,
      pacing: pace,
      memory: { idleMB: idle.rssMB, idleAnonMB: idle.anonMB, idleFileMB: idle.fileMB, pageCacheDropped, idleAfterLoadMB, held },
      pinned,
      startup,
      openai,
      infoLogging,
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
    ? { loadSeconds: 1, streamSamples: 30, heldStreams: 300, startupRuns: 5 }
    : { loadSeconds: 5, streamSamples: 200, heldStreams: 1000, startupRuns: 15 };
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
