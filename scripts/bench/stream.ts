/** Streaming measurements: first/last byte times, event pacing, and many streams held open at once. */
import { percentile } from "./load.ts";
import { rssMB } from "./processes.ts";
import { openStream, timeStream, type OpenStream } from "./sse-client.ts";

export interface StreamLatency {
  samples: number;
  events: number;
  ttfbP50: number;
  ttfbP90: number;
  ttlbP50: number;
  ttlbP90: number;
}

export async function streamLatency(url: string, path: string, body: string, samples: number): Promise<StreamLatency> {
  for (let i = 0; i < 20; i++) await timeStream(url, path, body); // warm-up
  const ttfb: number[] = [];
  const ttlb: number[] = [];
  let events = 0;
  for (let i = 0; i < samples; i++) {
    const timing = await timeStream(url, path, body);
    if (timing.status !== 200) throw new Error(`${url}${path} answered ${timing.status}`);
    ttfb.push(timing.ttfb);
    ttlb.push(timing.ttlb);
    events = timing.eventTimes.length;
  }
  ttfb.sort((a, b) => a - b);
  ttlb.sort((a, b) => a - b);
  return {
    samples,
    events,
    ttfbP50: percentile(ttfb, 50),
    ttfbP90: percentile(ttfb, 90),
    ttlbP50: percentile(ttlb, 50),
    ttlbP90: percentile(ttlb, 90),
  };
}

export interface Pacing {
  events: number;
  gapMs: number;
  /** Gaps between consecutive events as the client saw them. */
  gapP10: number;
  gapP50: number;
  /** Reads that delivered more than one event at once. */
  coalescedReads: number;
}

/** The upstream sends `events` events `gapMs` apart; a proxy that flushes each event keeps the gaps. */
export async function pacing(url: string, path: string, body: string, gapMs: number): Promise<Pacing> {
  const timing = await timeStream(url, path, body);
  const gaps = timing.eventTimes.slice(2).map((time, i) => time - (timing.eventTimes[i + 1] ?? time));
  gaps.sort((a, b) => a - b);
  return {
    events: timing.eventTimes.length,
    gapMs,
    gapP10: percentile(gaps, 10),
    gapP50: percentile(gaps, 50),
    coalescedReads: timing.coalescedReads,
  };
}

export interface HeldStreams {
  requested: number;
  /** RSS just before the streams were opened (absent in older results). */
  rssBeforeMB?: number;
  /** Streams whose first event reached the client before the upstream released any. */
  openAtClient: number;
  /** Streams open at the upstream at the same moment (its own count). */
  openAtUpstream: number;
  /** ms until all were open (or the wait gave up). */
  openAfterMs: number;
  rssMB: number;
  /** Streams that then ran to their final event once released. */
  completed: number;
  rssAfterMB: number;
}

interface UpstreamStats {
  active: number;
  peak: number;
}

const stats = (upstreamUrl: string, path = "/stats") =>
  fetch(upstreamUrl + path, { method: "POST" }).then((r) => r.json() as Promise<UpstreamStats>);

async function waitForOpen(
  streams: OpenStream[],
  upstreamUrl: string,
  timeoutMs: number,
): Promise<{ open: number; peak: number; ms: number }> {
  const started = performance.now();
  let open = 0;
  void Promise.all(streams.map((stream) => stream.firstEvent.then(() => open++)));
  for (;;) {
    const { peak } = await stats(upstreamUrl);
    const ms = performance.now() - started;
    if ((open === streams.length && peak === streams.length) || ms > timeoutMs) return { open, peak, ms };
    await Bun.sleep(20);
  }
}

/** Opens `count` streams the upstream holds open after their first event, measures, then lets them all finish. */
export async function holdStreams(
  proxyUrl: string,
  upstreamUrl: string,
  proxyPid: number,
  count: number,
  body: string,
): Promise<HeldStreams> {
  await stats(upstreamUrl, "/stats/reset");
  const rssBeforeMB = rssMB(proxyPid);
  const streams: OpenStream[] = [];
  for (let i = 0; i < count; i++) streams.push(await openStream(proxyUrl, "/v1/messages?hold=1&events=4", body));
  const opened = await waitForOpen(streams, upstreamUrl, 15_000);
  await Bun.sleep(200); // let the heap settle before reading RSS
  const rss = rssMB(proxyPid);
  await fetch(`${upstreamUrl}/release`, { method: "POST" });
  const release = setInterval(() => void fetch(`${upstreamUrl}/release`, { method: "POST" }), 100); // streams queued behind a cap
  const timings = await Promise.race([Promise.all(streams.map((stream) => stream.done)), Bun.sleep(30_000).then(() => [])]);
  clearInterval(release);
  for (const stream of streams) stream.close();
  const completed = timings.filter((timing) => timing.status === 200 && timing.eventTimes.length === 10).length;
  await Bun.sleep(200);
  return {
    requested: count,
    rssBeforeMB,
    openAtClient: opened.open,
    openAtUpstream: opened.peak,
    openAfterMs: opened.ms,
    rssMB: rss,
    completed,
    rssAfterMB: rssMB(proxyPid),
  };
}
