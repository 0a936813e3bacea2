import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";

/** The CLI entry point, run from source with the same bun that runs the tests. */
export const CLI = resolve(import.meta.dir, "../../src/index.ts");

/** A JSON file the CLI wrote, parsed. */
export const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
/** A file's permission bits (0o600 for secrets). */
export const fileMode = (path: string) => statSync(path).mode & 0o777;

export interface CliWorld {
  dir: string;
  tokenFile: string;
  env: Record<string, string>;
}

/** A temp home and token file, with every URL pointed at the fake. Nothing from the developer's environment leaks in. */
export function cliWorld(fake: FakeAnthropic | undefined, extra: Record<string, string> = {}): CliWorld {
  const dir = mkdtempSync(join(tmpdir(), "maximize-cli-"));
  const tokenFile = join(dir, "state", "tokens.json");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    CLAUDE_CONFIG_DIR: join(dir, ".claude"),
    NO_COLOR: "1",
    MAXIMIZE_TOKEN_FILE: tokenFile,
    ...(fake
      ? {
          MAXIMIZE_UPSTREAM_URL: fake.url,
          MAXIMIZE_OAUTH_TOKEN_URL: fake.tokenUrl,
          MAXIMIZE_OAUTH_AUTHORIZE_URL: fake.authorizeUrl,
        }
      : {}),
    ...extra,
  };
  return { dir, tokenFile, env };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `maximize ARGS` to completion (stdin closed unless given). */
export async function runCli(
  world: CliWorld,
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const child = Bun.spawn([process.execPath, CLI, ...args], {
    cwd: world.dir,
    env: { ...world.env, ...options.env },
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** What the user's browser would do: open the authorize URL and read the `CODE#STATE` the page shows. */
export async function approveInBrowser(url: string): Promise<string> {
  const response = await fetch(url);
  const text = await response.text();
  if (!response.ok) throw new Error(`authorize page answered ${response.status}: ${text}`);
  return text.trim();
}

/** A child's stdout and stderr, collected as they arrive (interleaved), with a way to wait for a pattern. */
export interface WatchedOutput {
  /** Everything so far, through `view` (e.g. escape sequences removed). */
  text(): string;
  /** Resolves with the match once `text()` from `after` on matches; rejects when the process exits first. */
  waitFor(pattern: RegExp, after?: number): Promise<RegExpMatchArray>;
  exited: Promise<number>;
}

export function watchOutput(
  child: { stdout: ReadableStream<Uint8Array>; stderr: ReadableStream<Uint8Array>; exited: Promise<number> },
  view: (raw: string) => string = (raw) => raw,
): WatchedOutput {
  let raw = "";
  const waiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      raw += decoder.decode(chunk, { stream: true });
      for (const wake of waiters) wake();
    }
  };
  const exited = Promise.all([pump(child.stdout), pump(child.stderr)]).then(() => child.exited);
  const text = () => view(raw);
  const waitFor = (pattern: RegExp, after = 0) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = text().slice(after).match(pattern);
        if (!match) return;
        waiters.delete(check);
        resolve(match);
      };
      waiters.add(check);
      check();
      void exited.then((code) => {
        if (waiters.delete(check)) reject(new Error(`exited ${code} before printing ${pattern}; output:\n${text()}`));
      });
    });
  return { text, waitFor, exited };
}

export interface RunningCli {
  child: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves once the output matches, rejects when the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number>;
}

/** Starts `maximize ARGS` in the background, collecting its output. */
export function startCli(world: CliWorld, args: string[]): RunningCli {
  const child = Bun.spawn([process.execPath, CLI, ...args], {
    cwd: world.dir,
    env: world.env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const output = watchOutput(child);
  return { child, output: output.text, waitFor: (pattern) => output.waitFor(pattern), exited: output.exited };
}

/**
 * For a test file that runs the CLI as processes: a fake upstream started once (faults cleared after each test), and
 * every process handed to `track` killed after its test. Read `env.fake` inside tests.
 */
export function useFakeAndProcesses(): { readonly fake: FakeAnthropic; track(cli: RunningCli): RunningCli } {
  let fake: FakeAnthropic | undefined;
  const started: RunningCli[] = [];
  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterAll(() => fake?.close());
  afterEach(async () => {
    fake?.clearFaults();
    for (const cli of started.splice(0)) {
      cli.child.kill("SIGKILL");
      await cli.exited;
    }
  });
  return {
    get fake() {
      if (!fake) throw new Error("the fake upstream starts in beforeAll: read env.fake inside a test");
      return fake;
    },
    track(cli) {
      started.push(cli);
      return cli;
    },
  };
}
