/**
 * The soak (`npm run bench -- --soak`): many requests across all three APIs through the compiled binary, a tenth of
 * the streams abandoned by the client midway, then checks that nothing leaked: no unexpected errors, RSS at the end
 * within 10 % of RSS after the first fifth, open file descriptors and the open-stream gauge back to idle, and no
 * stream left open at the upstream.
 */
import { readdirSync } from "node:fs";
import { freePort, memoryOf, startProxy, startScript } from "./processes.ts";
import { MAXIMIZE } from "./variants.ts";

export interface SoakSize {
  requests: number;
  streams: number;
  concurrency: number;
}

export interface SoakCheck {
  name: string;
  measured: string;
  ok: boolean;
}

export interface SoakResult {
  size: SoakSize;
  seconds: number;
  unexpectedErrors: number;
  aborted: number;
  checks: SoakCheck[];
}

/** A slow stream (the bench upstream's options, passed as the user id): long enough to be abandoned midway. */
const SLOW = "bench:events=20&gap=5";
const ROUTES = [
  {
    path: "/v1/messages",
    body: (stream: boolean, slow = false) => ({
      model: "l",
      max_tokens: 64,
      stream,
      messages: [{ role: "user", content: "Hi" }],
      ...(slow ? { metadata: { user_id: SLOW } } : {}),
    }),
  },
  {
    path: "/v1/chat/completions",
    body: (stream: boolean, slow = false) => ({
      model: "l",
      stream,
      messages: [{ role: "user", content: "Hi" }],
      ...(slow ? { user: SLOW } : {}),
    }),
  },
  {
    path: "/v1/responses",
    body: (stream: boolean, slow = false) => ({ model: "l", stream, input: "Hi", ...(slow ? { user: SLOW } : {}) }),
  },
] as const;

const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

async function gauge(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^maximize_open_streams (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/** Polls `read` until it returns `want` (things settle a moment after the last response), at most 5 s. */
async function settle<T>(read: () => Promise<T> | T, want: T): Promise<T> {
  const deadline = performance.now() + 5000;
  for (;;) {
    const value = await read();
    if (value === want || performance.now() > deadline) return value;
    await Bun.sleep(50);
  }
}

export async function soak(binary: string, size: SoakSize, log: (line: string) => void): Promise<SoakResult> {
  const upstream = await startScript("upstream.ts");
  const proxy = await startProxy({ binary, upstreamUrl: upstream.url, port: freePort(), logLevel: "warn", accounts: MAXIMIZE.accounts });
  try {
    // Idle, after one request of each kind (what start-up alone does not load).
    for (const route of ROUTES) await (await post(proxy.url, route.path, route.body(false))).text();
    await Bun.sleep(200);
    const idleFds = openFds(proxy.pid);
    let unexpectedErrors = 0;
    let aborted = 0;
    let done = 0;
    const total = size.requests + size.streams;
    let rssAfterFifth = 0;
    let fdsAfterFifth = 0;
    const started = performance.now();

    const one = async (n: number) => {
      const route = ROUTES[n % ROUTES.length]!;
      // Streams spread evenly through the run; every tenth stream is abandoned after its first chunk.
      const streamEvery = Math.max(1, Math.round(total / size.streams));
      const stream = n % streamEvery === 0;
      const abandon = stream && (n / streamEvery) % 10 === 9;
      const controller = new AbortController();
      try {
        const response = await post(proxy.url, route.path, route.body(stream, abandon), controller.signal);
        if (!response.ok) {
          unexpectedErrors++;
          await response.text();
          return;
        }
        if (abandon) {
          const reader = response.body!.getReader();
          await reader.read();
          controller.abort();
          await reader.cancel().catch(() => {});
          aborted++;
          return;
        }
        await response.arrayBuffer();
      } catch (error) {
        if (!controller.signal.aborted) {
          unexpectedErrors++;
          if (unexpectedErrors <= 3) log(`soak: ${(error as Error).message}`);
        }
      } finally {
        done++;
        if (done === Math.round(total / 5)) {
          rssAfterFifth = memoryOf(proxy.pid).rssMB;
          fdsAfterFifth = openFds(proxy.pid);
        }
      }
    };

    let next = 0;
    const worker = async () => {
      while (next < total) await one(next++);
    };
    await Promise.all(Array.from({ length: size.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    await Bun.sleep(500);
    const rssEnd = memoryOf(proxy.pid).rssMB;
    // Kept-alive connections (ours to the proxy, the proxy's to the upstream) stay open by design: compared with the
    // steady state after the first fifth, a leak shows as growth.
    const fdsEnd = await settle(() => openFds(proxy.pid), Math.min(fdsAfterFifth, idleFds));
    const openStreams = await settle(() => gauge(proxy.url), 0);
    const upstreamOpen = await settle(async () => ((await (await fetch(`${upstream.url}/stats`)).json()) as { active: number }).active, 0);
    const growth = rssAfterFifth > 0 ? (rssEnd - rssAfterFifth) / rssAfterFifth : Number.NaN;
    return {
      size,
      seconds,
      unexpectedErrors,
      aborted,
      checks: [
        { name: "unexpected errors", measured: String(unexpectedErrors), ok: unexpectedErrors === 0 },
        {
          name: "RSS end vs after the first fifth",
          measured: `${rssAfterFifth.toFixed(1)} → ${rssEnd.toFixed(1)} MB (${(growth * 100).toFixed(1)} %)`,
          ok: growth <= 0.1,
        },
        {
          name: "open file descriptors not growing",
          measured: `${idleFds} idle, ${fdsAfterFifth} after the first fifth, ${fdsEnd} at the end`,
          ok: fdsEnd <= Math.max(idleFds, fdsAfterFifth),
        },
        { name: "open-stream gauge back to 0", measured: String(openStreams), ok: openStreams === 0 },
        { name: "streams left open at the upstream", measured: String(upstreamOpen), ok: upstreamOpen === 0 },
      ],
    };
  } finally {
    await proxy.stop();
    await upstream.stop();
  }
}

const post = (url: string, path: string, body: unknown, signal?: AbortSignal) =>
  fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });

export function renderSoak(result: SoakResult): string {
  const { size } = result;
  const lines = [
    `soak: ${size.requests} non-stream requests and ${size.streams} streams over /v1/messages, /v1/chat/completions and /v1/responses, ` +
      `${size.concurrency} at a time, ${result.aborted} streams abandoned by the client midway; ${result.seconds.toFixed(0)} s`,
    "",
    "| check | measured | |",
    "| --- | --- | --- |",
    ...result.checks.map((check) => `| ${check.name} | ${check.measured} | ${check.ok ? "ok" : "FAILED"} |`),
  ];
  return lines.join("\n");
}
