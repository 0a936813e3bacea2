/** Child processes of a benchmark run: the fake upstream, the compiled proxy, a bare passthrough; their memory. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";

export interface Child {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const HERE = import.meta.dir;

export interface Memory {
  /** VmRSS: everything resident. */
  rssMB: number;
  /** RssAnon: the process's own memory (JS heap, JIT code, buffers). */
  anonMB: number;
  /** RssFile: pages of the executable and libraries mapped in (shared, clean, reclaimable). */
  fileMB: number;
}

/** A process's resident memory in MB from /proc/PID/status (NaN where a field cannot be read). */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, "m").exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  };
  return { rssMB: field("VmRSS"), anonMB: field("RssAnon"), fileMB: field("RssFile") };
}

export const rssMB = (pid: number): number => memoryOf(pid).rssMB;

/**
 * Empties the kernel's page cache when we may (root, Linux). How many of an executable's pages a process maps
 * depends on how the file sits in the cache: a binary just written by the compiler idles ~6 MB larger than the same
 * bytes read back from disk. Dropping the cache first makes RSS the same from run to run.
 */
export function dropPageCache(): boolean {
  const control = "/proc/sys/vm/drop_caches";
  if (!existsSync(control)) return false;
  try {
    Bun.spawnSync(["sync"]);
    writeFileSync(control, "3\n");
    return true;
  } catch {
    return false;
  }
}

/** Runs a command on one CPU (`taskset -c N`), so two processes don't compete for the same core. */
export const pinnedTo = (cpu: number | undefined, command: string[]): string[] =>
  cpu === undefined ? command : ["taskset", "-c", String(cpu), ...command];

async function stopChild(child: Subprocess): Promise<void> {
  child.kill("SIGTERM");
  const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(3000).then(() => false)]);
  if (!exited) child.kill("SIGKILL");
  await child.exited;
}

/** Reads the `{"port":N}` line a helper script prints when it listens. */
async function readPort(child: Subprocess<"ignore", "pipe", "inherit">): Promise<number> {
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("helper exited before printing its port");
    text += decoder.decode(value);
  }
  reader.releaseLock();
  return (JSON.parse(text.slice(0, text.indexOf("\n"))) as { port: number }).port;
}

/** Starts a helper script (`upstream.ts`, `bare.ts`) in its own Bun process (on CPU `cpu` when given). */
export async function startScript(name: string, args: string[] = [], cpu?: number): Promise<Child> {
  const child = Bun.spawn(pinnedTo(cpu, [process.execPath, join(HERE, name), ...args]), {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  const port = await readPort(child);
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child) };
}

/**
 * A token file the proxy accepts without refreshing (far-future expiry, mode 0600), and `accounts − 1` more logins in
 * the accounts folder beside it.
 */
export function writeTokenFile(dir: string, accounts = 1): string {
  const write = (path: string, n: number) => {
    const tokens = {
      access_token: `sk-ant-oat01-benchmark-access-token-${n}-00000000000000000000000000`,
      refresh_token: `sk-ant-ort01-benchmark-refresh-token-${n}-0000000000000000000000000`,
      expires_at: Math.floor(Date.now() / 1000) + 10 * 365 * 24 * 3600,
    };
    writeFileSync(path, JSON.stringify(tokens), { mode: 0o600 });
    chmodSync(path, 0o600);
  };
  const path = join(dir, "tokens.json");
  write(path, 0);
  if (accounts > 1) mkdirSync(join(dir, "accounts"), { recursive: true, mode: 0o700 });
  for (let n = 1; n < accounts; n++) write(join(dir, "accounts", `account-${n}.json`), n);
  return path;
}

export interface ProxyOptions {
  binary: string;
  upstreamUrl: string;
  port: number;
  logLevel: "debug" | "info" | "warn" | "error";
  /** More settings (a variant's, scripts/bench/variants.ts); they win over the ones above. */
  env?: Record<string, string>;
  /** Claude logins to configure (default 1). */
  accounts?: number;
  /** Run on this CPU only (taskset). */
  cpu?: number;
}

/** The environment `maximize serve` is configured with: a private HOME and cwd, so no user config is read. */
export function proxyEnv(options: ProxyOptions, dir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    MAXIMIZE_PORT: String(options.port),
    MAXIMIZE_UPSTREAM_URL: options.upstreamUrl,
    MAXIMIZE_TOKEN_FILE: writeTokenFile(dir, options.accounts),
    MAXIMIZE_LOG_LEVEL: options.logLevel,
    ...options.env,
  };
}

/** Polls GET `url` as fast as the loop allows until it answers 200; returns the elapsed ms since `since`. */
export async function waitHealthy(url: string, since: number, timeoutMs = 10_000): Promise<number> {
  for (;;) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return performance.now() - since;
    if (performance.now() - since > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs}ms`);
    await Bun.sleep(1);
  }
}

/** Starts `maximize serve` (stderr goes to a log file, as under a service manager) and waits for /healthz. */
export async function startProxy(options: ProxyOptions): Promise<Child & { logFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), "maximize-bench-"));
  const logFile = join(dir, "maximize.log");
  const child = Bun.spawn(pinnedTo(options.cpu, [resolve(options.binary), "serve"]), {
    cwd: dir,
    env: proxyEnv(options, dir),
    stdin: "ignore",
    stdout: Bun.file(logFile),
    stderr: Bun.file(logFile),
  });
  const url = `http://127.0.0.1:${options.port}`;
  const started = performance.now();
  const healthy = await Promise.race([waitHealthy(`${url}/healthz`, started), child.exited.then((code) => ({ exited: code }))]);
  if (typeof healthy !== "number") throw new Error(`maximize exited with ${healthy.exited}: ${readFileSync(logFile, "utf8")}`);
  return { url, pid: child.pid, logFile, stop: () => stopChild(child) };
}

/** A port that was free a moment ago. */
export function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}
