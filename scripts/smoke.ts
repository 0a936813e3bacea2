#!/usr/bin/env bun
// Smoke test for a compiled binary on the machine it is built for (CI and the release's native runners):
//
//   bun scripts/smoke.ts dist/maximize [--version 0.1.0]
//
// Checks `--version`, then `serve` on a free loopback port: /healthz answers, `health` exits 0, and the
// process stops on a signal; `health` then exits 1. Runs from an empty directory with an empty HOME.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };

const fail = (message: string): never => {
  throw new Error(`smoke: ${message}`);
};

function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

async function exec(cmd: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; out: string }> {
  const child = Bun.spawn(cmd, { env, cwd, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out: out + err };
}

async function waitForHealthz(url: string, child: Bun.Subprocess): Promise<unknown> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) fail(`serve exited early with code ${child.exitCode}`);
    const body = await fetch(url).then(
      (response) => (response.ok ? response.json() : undefined),
      () => undefined,
    );
    if (body !== undefined) return body;
    await Bun.sleep(100);
  }
  return fail(`${url} did not answer within 20s`);
}

async function smoke(binary: string, version: string): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "maximize-smoke-"));
  const port = String(freePort());
  const env = {
    HOME: home,
    USERPROFILE: home,
    PATH: process.env.PATH ?? "",
    SYSTEMROOT: process.env.SYSTEMROOT ?? "",
    MAXIMIZE_PORT: port,
  };

  const printed = await exec([binary, "--version"], env, home);
  if (printed.code !== 0 || printed.out.trim() !== version)
    fail(`--version printed ${JSON.stringify(printed.out)} (exit ${printed.code}), expected ${version}`);
  log(`--version → ${version}`);

  const server = Bun.spawn([binary, "serve"], { env, cwd: home, stdout: "inherit", stderr: "inherit", stdin: "ignore" });
  const health = await waitForHealthz(`http://127.0.0.1:${port}/healthz`, server);
  if ((health as { version?: unknown }).version !== version) fail(`/healthz said ${JSON.stringify(health)}`);
  log(`/healthz → ${JSON.stringify(health)}`);
  const up = await exec([binary, "health"], env, home);
  if (up.code !== 0) fail(`health exited ${up.code} while serving: ${up.out}`);

  server.kill("SIGTERM");
  const stopped = await Promise.race([server.exited.then(() => true), Bun.sleep(15_000).then(() => false)]);
  if (!stopped) fail("serve did not stop within 15s of SIGTERM");
  const down = await exec([binary, "health"], env, home);
  if (down.code === 0) fail("health exited 0 after the server stopped");
  log(`health → 0 while serving, ${down.code} after stop (serve exited ${server.exitCode})`);
}

const log = (line: string): void => void process.stderr.write(`smoke: ${line}\n`);

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { version: { type: "string" } },
    allowPositionals: true,
  });
  const binary = positionals[0] ?? fail("usage: bun scripts/smoke.ts BINARY [--version V]");
  await smoke(resolve(binary), values.version ?? pkg.version);
  log("ok");
  process.exit(0);
}
