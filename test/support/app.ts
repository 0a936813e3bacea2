/**
 * The HTTP app in process, for the fast tier: `const { handle } = testApp(); await handle(req("/healthz"))`.
 * Built from the real modules; its upstream is an address nothing listens on, so a test that reaches it gets a 502.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { createApp } from "../../src/server/app.ts";
import { buildAppDeps } from "../../src/server/build.ts";
import { createLogger } from "../../src/shared/log.ts";

export function testApp(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "maximize-app-"));
  const config = loadConfig({ cwd: dir, env: { HOME: dir, MAXIMIZE_UPSTREAM_URL: "http://127.0.0.1:9", ...env } });
  const logs: string[] = [];
  const log = createLogger({ level: "debug", write: (line) => logs.push(line), secrets: config.server.api_keys.map((k) => k.key) });
  const deps = buildAppDeps({ config, log, fetch, upstreamFetch: fetch, sealKey: new Uint8Array(32) });
  const app = createApp(deps);
  const metrics = deps.metrics;
  return { ...app, config, logs, metrics };
}

/** A request to the app, as Elysia's own tests write them. */
export const req = (path: string, init: RequestInit = {}) => new Request(`http://127.0.0.1:8081${path}`, init);

export const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  req(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
