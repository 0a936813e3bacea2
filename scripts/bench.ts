#!/usr/bin/env bun
// Measures maximize's overhead against a fast fake upstream, direct vs through the compiled binary, in one run.
//
//   npm run bench                          build nothing; bench dist/maximize → bench/results.json, bench/chart.svg,
//                                          the numbers in BENCHMARKS.md, and a table on stdout
//   bun scripts/bench.ts --binary PATH     bench another build (e.g. a variant being compared)
//   bun scripts/bench.ts --out FILE        write the JSON elsewhere (and nothing else)
//   bun scripts/bench.ts --report          re-render the table, chart and BENCHMARKS.md from bench/results.json
//   bun scripts/bench.ts --quick           shorter runs (a smoke test of the bench itself)
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { load, warmUp, type LoadResult } from "./bench/load.ts";
import { freePort, rssMB, startProxy, startScript, type Child } from "./bench/processes.ts";
import { renderSvg, renderText, spliceMarkdown } from "./bench/report.ts";
import type { Machine, OpenAIResult, Results, Trio } from "./bench/results.ts";
import { measureStartup } from "./bench/startup.ts";
import { holdStreams, pacing, streamLatency } from "./bench/stream.ts";

const ROOT = resolve(import.meta.dir, "..");
const RESULTS = join(ROOT, "bench", "results.json");
const CHART = join(ROOT, "bench", "chart.svg");
const MARKDOWN = join(ROOT, "BENCHMARKS.md");

const MESSAGES_BODY = JSON.stringify({ model: "l", max_tokens: 256, messages: [{ role: "user", content: "Say hello in one short sentence." }] });
const STREAM_BODY = JSON.stringify({ model: "l", max_tokens: 256, stream: true, messages: [{ role: "user", content: "Say hello in one short sentence." }] });
const CHAT_BODY = JSON.stringify({ model: "l", max_tokens: 256, messages: [{ role: "user", content: "Say hello in one short sentence." }] });
const CHAT_STREAM_BODY = JSON.stringify({ model: "l", max_tokens: 256, stream: true, messages: [{ role: "user", content: "Say hello in one short sentence." }] });
/** `user` becomes metadata.user_id upstream, where the bench upstream reads its pacing from. */
const CHAT_PACED_BODY = JSON.stringify({ model: "l", max_tokens: 256, stream: true, user: "bench:events=20&gap=10", messages: [{ role: "user", content: "Pace this." }] });

interface Settings {
  loadSeconds: number;
  streamSamples: number;
  heldStreams: number;
  startupRuns: number;
}

const log = (line: string) => void process.stderr.write(`bench: ${line}\n`);

function machine(): Machine {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const release = existsSync("/etc/os-release") ? (/^PRETTY_NAME="?([^"\n]+)/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? "") : "";
  return { cpu, cores: cpus().length, memoryGB: Math.round(totalmem() / 2 ** 30), os: `${process.platform} ${release}`.trim(), bun: Bun.version };
}

/** The same load against direct, bare and proxy, each after its own warm-up. */
async function trio(origins: Trio<string>, path: string, body: string, connections: number, seconds: number): Promise<Trio<LoadResult>> {
  const run = async (origin: string) => {
    const options = { url: origin + path, body, connections, seconds };
    await warmUp(options);
    return load(options);
  };
  return { direct: await run(origins.direct), bare: await run(origins.bare), proxy: await run(origins.proxy) };
}

async function measureOpenAI(proxyUrl: string, settings: Settings): Promise<OpenAIResult> {
  const probe = await fetch(`${proxyUrl}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: CHAT_BODY });
  const text = await probe.text();
  if (probe.status !== 200) return { measured: false, reason: `POST /v1/chat/completions answered ${probe.status} in this build (${text.slice(0, 120)})` };
  const c1 = async (path: string, body: string) => {
    const options = { url: proxyUrl + path, body, connections: 1, seconds: settings.loadSeconds };
    await warmUp(options);
    return load(options);
  };
  return {
    measured: true,
    messages: await c1("/v1/messages", MESSAGES_BODY),
    chat: await c1("/v1/chat/completions", CHAT_BODY),
    messagesStream: await streamLatency(proxyUrl, "/v1/messages", STREAM_BODY, settings.streamSamples),
    chatStream: await streamLatency(proxyUrl, "/v1/chat/completions", CHAT_STREAM_BODY, settings.streamSamples),
    chatPacing: await pacing(proxyUrl, "/v1/chat/completions", CHAT_PACED_BODY, 10),
  };
}

async function measure(binary: string, settings: Settings): Promise<Results> {
  const children: Child[] = [];
  const keep = <T extends Child>(child: T) => (children.push(child), child);
  try {
    const upstream = keep(await startScript("upstream.ts"));
    const bare = keep(await startScript("bare.ts", [upstream.url]));
    const proxy = keep(await startProxy({ binary, upstreamUrl: upstream.url, port: freePort(), logLevel: "warn" }));
    await Bun.sleep(300);
    const idleMB = rssMB(proxy.pid);
    const origins = { direct: upstream.url, bare: bare.url, proxy: proxy.url };

    log("non-stream latency, concurrency 1");
    const c1 = await trio(origins, "/v1/messages", MESSAGES_BODY, 1, settings.loadSeconds);
    log("non-stream latency and throughput, concurrency 64");
    const c64 = await trio(origins, "/v1/messages", MESSAGES_BODY, 64, settings.loadSeconds);
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
    return {
      date: new Date().toISOString(),
      machine: machine(),
      maximize: { binary, version: pkg.version, logLevel: "warn" },
      settings,
      c1,
      c64,
      stream,
      pacing: pace,
      memory: { idleMB, idleAfterLoadMB, held },
      startup,
      openai,
      infoLogging,
    };
  } finally {
    for (const child of children.reverse()) await child.stop();
  }
}

function publish(results: Results, out: string, all: boolean): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  if (!all) return;
  writeFileSync(CHART, renderSvg(results));
  if (existsSync(MARKDOWN)) writeFileSync(MARKDOWN, spliceMarkdown(readFileSync(MARKDOWN, "utf8"), results));
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { binary: { type: "string" }, out: { type: "string" }, report: { type: "boolean" }, quick: { type: "boolean" } },
    strict: true,
  });
  if (values.report) {
    const results = JSON.parse(readFileSync(RESULTS, "utf8")) as Results;
    publish(results, RESULTS, true);
    console.log(renderText(results));
    return;
  }
  const binary = resolve(values.binary ?? join(ROOT, "dist", "maximize"));
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`npm run build\` first`);
  const settings: Settings = values.quick
    ? { loadSeconds: 1, streamSamples: 30, heldStreams: 300, startupRuns: 5 }
    : { loadSeconds: 5, streamSamples: 200, heldStreams: 1000, startupRuns: 15 };
  const started = performance.now();
  const results = await measure(binary, settings);
  const out = resolve(values.out ?? RESULTS);
  publish(results, out, !values.out && !values.quick);
  console.log(renderText(results));
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s → ${out}`);
}

if (import.meta.main) await main(process.argv.slice(2));
