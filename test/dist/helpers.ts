// Shared by the distribution tests: system-tool checks, subprocesses, and a tiny static file server.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";

export const REPO = join(import.meta.dir, "..", "..");

/** The tools from `names` not on PATH. */
export const missingTools = (names: readonly string[]): string[] => names.filter((name) => Bun.which(name) === null);

/** Returns true (and says why, loudly) when a suite must be skipped because `reason` is set. */
export function skipBecause(suite: string, reason: string | undefined): boolean {
  if (reason === undefined) return false;
  console.warn(`SKIPPED ${suite}: ${reason}`);
  return true;
}

const created: string[] = [];

/** A fresh directory under the system temp dir, removed by `removeTempDirs` (binaries are ~110 MB each). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `maximize-${prefix}-`));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion without blocking the event loop (test servers keep answering). */
export async function run(cmd: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<RunResult> {
  const env = options.env ?? { PATH: process.env.PATH ?? "" };
  const child = Bun.spawn(cmd, { env, cwd: options.cwd ?? REPO, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { exitCode, stdout, stderr };
}

export interface FileServer {
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  stop(): void;
}

/**
 * Serves the files under `root` over HTTP on 127.0.0.1 (404 for anything else). With `latest` ("v1.2.0"), like
 * GitHub, /latest/download/FILE answers 302 to /download/<latest>/FILE.
 */
export function serveDirectory(root: string, options: { latest?: string } = {}): FileServer {
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const path = normalize(decodeURIComponent(new URL(request.url).pathname));
      requests.push(path);
      if (options.latest && path.startsWith("/latest/download/")) {
        return Response.redirect(`/download/${options.latest}/${path.slice("/latest/download/".length)}`, 302);
      }
      const file = Bun.file(join(root, path));
      if (path.includes("..") || !(await file.exists())) return new Response("not found", { status: 404 });
      return new Response(file);
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => void server.stop(true) };
}
