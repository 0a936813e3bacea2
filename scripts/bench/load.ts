/**
 * Non-stream load with autocannon. autocannon's own histogram keeps whole milliseconds, too coarse for sub-ms
 * overheads, so every response time (a float, in ms) is also collected from its `response` event.
 */
import autocannon from "autocannon";

export interface LoadResult {
  requests: number;
  errors: number;
  non2xx: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  seconds: number;
}

export const percentile = (sorted: number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

export const median = (values: number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

export async function load(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: "POST",
        body: options.body,
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
        connections: options.connections,
        duration: options.seconds,
      },
      (error: Error | null, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
    instance.on("response", (_client, status, _bytes, responseTime) => {
      if (status < 300) latencies.push(responseTime);
    });
  });
  latencies.sort((a, b) => a - b);
  const seconds = result.duration;
  return {
    requests: latencies.length,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    mean: latencies.reduce((sum, value) => sum + value, 0) / Math.max(1, latencies.length),
  };
}

/** A short run whose numbers are thrown away: JIT, keep-alive pools and caches warm up. */
export async function warmUp(options: LoadOptions): Promise<void> {
  await load({ ...options, seconds: 1 });
}

/** The same load against the upstream directly, a bare passthrough and maximize, each after its own warm-up. */
export async function loadTrio(
  origins: { direct: string; bare: string; proxy: string },
  path: string,
  body: string,
  connections: number,
  seconds: number,
): Promise<{ direct: LoadResult; bare: LoadResult; proxy: LoadResult }> {
  const run = async (origin: string) => {
    const options = { url: origin + path, body, connections, seconds };
    await warmUp(options);
    return load(options);
  };
  return { direct: await run(origins.direct), bare: await run(origins.bare), proxy: await run(origins.proxy) };
}
