import type { Server } from "bun";
import type { Config } from "../config/load.ts";
import type { Fetch } from "../shared/http.ts";
import type { Logger } from "../shared/log.ts";
import { createHttpClient, fetchLimit, usesProxyEnv, withOverflow } from "../upstream/http-client.ts";
import type { AccountPool } from "../accounts/pool.ts";
import { createApp } from "./app.ts";
import { buildAppDeps } from "./build.ts";
import { applyConfig, type ReloadOutcome } from "./reload.ts";

export type { ReloadOutcome } from "./reload.ts";
import { MAX_BODY_BYTES } from "./body.ts";
import { isLoopback } from "./guard.ts";
import { UserError } from "../shared/errors.ts";

export class ServeError extends UserError {
  override name = "ServeError";
}

/**
 * Refuses to expose a subscription to the network without proxy API keys, unless explicitly allowed. The opt-in is
 * said once, at info: the recommended Docker setup uses it at every start, and a warning shown every time is one
 * people learn to ignore.
 */
export function checkExposure(config: Config, log: Logger): void {
  if (isLoopback(config.server.bind_address) || config.server.api_keys.length > 0) return;
  if (!config.server.allow_open) {
    throw new ServeError(
      `refusing to listen on ${config.server.bind_address} without proxy API keys: anyone who can reach this port could use your Claude subscription.\n` +
        "Either set keys (MAXIMIZE_API_KEYS=key1,key2 or server.api_keys in config.json) so clients must send one,\n" +
        "or accept the risk explicitly with --allow-open / MAXIMIZE_ALLOW_OPEN=1 (e.g. inside a private Docker network).",
    );
  }
  log.info(
    `listening on ${config.server.bind_address} with no proxy API key, as allowed by allow_open: anyone who can reach port ${config.server.port} can use this Claude login`,
  );
}

export interface RunningServer {
  server: Server<undefined>;
  url: string;
  /** Settles when the start-up fetch of the model catalogue has succeeded or failed (it never rejects). */
  ready: Promise<void>;
  /** Stops accepting, lets in-flight responses finish for up to `graceMs`, then closes what is left. */
  stop(graceMs?: number): Promise<void>;
  /** Takes over what can change live from a re-read config (src/server/reload.ts). */
  reload(next: Config): ReloadOutcome;
  /** The accounts it serves with (the pool that start-up already built: its views say what the files hold). */
  accounts: AccountPool;
}

/**
 * Upstream API calls use Bun's fetch (fastest) up to 240 at once and node:http beyond, because fetch queues
 * everything past 256 concurrent requests (see BENCHMARKS.md); with BUN_CONFIG_MAX_HTTP_REQUESTS set at start (the
 * Docker image sets 4096), fetch takes that many. Behind an HTTP(S)_PROXY, which only fetch honours,
 * fetch alone. Token refreshes keep plain `fetch`.
 */
const defaultUpstreamFetch = (): Fetch =>
  usesProxyEnv(process.env) ? globalThis.fetch : withOverflow(globalThis.fetch, createHttpClient(), fetchLimit(process.env));

export function startServer(options: { config: Config; log: Logger; fetch?: Fetch; upstreamFetch?: Fetch }): RunningServer {
  const { config, log } = options;
  checkExposure(config, log);
  if (!config.api.anthropic_api_key && !config.api.oauth_betas.some((beta) => beta.startsWith("oauth-"))) {
    log.warn(
      `api.oauth_betas (${config.api.oauth_betas.join(",") || "empty"}) has no oauth-… beta: subscription requests will get 401 "OAuth authentication is currently not supported" unless clients send it`,
    );
  }
  const fetch = options.fetch ?? globalThis.fetch;
  const deps = buildAppDeps({ config, log, fetch, upstreamFetch: options.upstreamFetch ?? defaultUpstreamFetch() });
  const { models, accounts } = deps;
  const ready = models.refresh(); // at start-up, so the first request finds nicknames resolved
  let closing = false;
  const { handle } = createApp({ ...deps, closing: () => closing });

  let server: Server<undefined>;
  try {
    server = Bun.serve({
      hostname: config.server.bind_address,
      port: config.server.port,
      reusePort: false,
      idleTimeout: 0,
      development: false,
      // A backstop only: bodies are measured (and refused with a proper 413) while being read.
      maxRequestBodySize: MAX_BODY_BYTES * 2,
      fetch: handle,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE" || /in use/i.test((error as Error).message)) {
      throw new ServeError(
        `port ${config.server.port} on ${config.server.bind_address} is already in use — stop the other process or pick another port with --port / MAXIMIZE_PORT`,
      );
    }
    throw new ServeError(`cannot listen on ${config.server.bind_address}:${config.server.port}: ${(error as Error).message}`);
  }

  // Listening: from now on the login is kept fresh even with no traffic.
  const keepAlive = accounts.keepAlive(log);
  const host = server.hostname?.includes(":") ? `[${server.hostname}]` : server.hostname;
  return {
    server,
    url: `http://${host}:${server.port}`,
    ready,
    accounts,
    reload: (next) => applyConfig(config, next, { models, log }),
    async stop(graceMs = 10_000) {
      keepAlive.stop();
      const forced = setTimeout(() => {
        closing = true; // what is cut from here on is cut by this shutdown, not by its client
        void server.stop(true);
      }, graceMs);
      await server.stop(false);
      clearTimeout(forced);
    },
  };
}
