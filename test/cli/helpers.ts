import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FakeAnthropic } from "../support/fake-anthropic.ts";

/** The CLI entry point, run from source with the same bun that runs the tests. */
export const CLI = resolve(import.meta.dir, "../../src/index.ts");

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
export async function runCli(world: CliWorld, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
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

export interface RunningCli {
  child: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves once the output matches, rejects when the process exits first. */
  waitFor(pattern: RegExp): Promise<void>;
  exited: Promise<number>;
}

/** Starts `maximize ARGS` in the background, collecting its output. */
export function startCli(world: CliWorld, args: string[]): RunningCli {
  const child = Bun.spawn([process.execPath, CLI, ...args], { cwd: world.dir, env: world.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let text = "";
  const waiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      for (const wake of waiters) wake();
    }
  };
  const drained = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = drained.then(() => child.exited);
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(text)) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
      void exited.then((code) => {
        if (waiters.delete(check)) reject(new Error(`exited ${code} before printing ${pattern}:\n${text}`));
      });
    });
  return { child, output: () => text, waitFor, exited };
}
