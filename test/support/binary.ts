import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const BINARY = resolve(import.meta.dir, "../../dist/maximize");

/** The compiled binary; `npm test` builds it first. A missing binary is a loud failure, not a skip. */
export function requireBinary(): string {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`npm run build\` (npm test does it first)`);
  return BINARY;
}

/** A port that was free a moment ago (the kernel picks it). */
export function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/** Polls `url` until it answers 200 or `timeoutMs` passes. */
export async function waitForHealthy(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await Bun.sleep(20);
  }
  throw new Error(`${url} did not become healthy within ${timeoutMs}ms`);
}

export const tempPath = (dir: string, name: string) => join(dir, name);

export interface ServingBinary {
  url: string;
  child: Bun.Subprocess<"ignore", "pipe", "pipe">;
}

/**
 * Starts `dist/maximize serve` against a fake upstream on a free port, with a private HOME and the given token file,
 * and waits until /healthz answers. stdout/stderr are piped (read them, or they are dropped with the process).
 */
export async function startBinary(options: {
  upstreamUrl: string;
  tokenUrl?: string;
  tokenFile: string;
  home: string;
  args?: string[];
  env?: Record<string, string>;
}): Promise<ServingBinary> {
  const port = freePort();
  const child = Bun.spawn([requireBinary(), "serve", ...(options.args ?? [])], {
    cwd: options.home,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: options.home,
      MAXIMIZE_PORT: String(port),
      MAXIMIZE_TOKEN_FILE: options.tokenFile,
      MAXIMIZE_UPSTREAM_URL: options.upstreamUrl,
      ...(options.tokenUrl ? { MAXIMIZE_OAUTH_TOKEN_URL: options.tokenUrl } : {}),
      ...options.env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealthy(`${url}/healthz`);
  return { url, child };
}
