import { loadConfig, type Config } from "../config/load.ts";
import { watchConfig } from "./config-watch.ts";
import { batchedStderr, createLogger, stderrColors as pc, type Logger } from "../shared/log.ts";
import { startServer } from "../server/serve.ts";
import type { AccountPool } from "../accounts/pool.ts";
import type { AccountView } from "../accounts/view.ts";
import { DEFAULT_ACCOUNT } from "../auth/accounts.ts";
import { VERSION } from "../shared/version.ts";
import type { Command } from "./command.ts";
import { healthCommand } from "./health.ts";

/** Shutdown signals as a queue, so none is missed between "listening" and waiting for it. */
function watchSignals(): { next(): Promise<string> } {
  const pending: string[] = [];
  const waiting: ((signal: string) => void)[] = [];
  const deliver = (signal: string) => {
    const wake = waiting.shift();
    if (wake) wake(signal);
    else pending.push(signal);
  };
  process.on("SIGINT", () => deliver("SIGINT"));
  process.on("SIGTERM", () => deliver("SIGTERM"));
  return {
    next: () => {
      const queued = pending.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/**
 * Which credentials serve requests. A dead Claude login is said by the keep-alive, once, right after this (the one
 * owner of that message).
 */
function announceCredentials(config: Config, log: Logger, pool: AccountPool): void {
  // The server's own pool: the account files were read once, at its start.
  const accounts = pool.views();
  if (accounts.length > 1 || (accounts[0] && accounts[0].name !== DEFAULT_ACCOUNT)) {
    const describe = (view: AccountView) =>
      `${view.name} (${view.kind === "api_key" ? "API key" : "Claude login"}${view.state === "ready" ? "" : `, ${view.state.replaceAll("_", " ")}`})`;
    log.info(`accounts: ${accounts.map(describe).join(", ")} — ${config.storage.accounts_dir}`);
    return;
  }
  const auth = pool.firstStatus();
  if (auth.method === "oauth" && !auth.logged_in)
    log.info(`credentials: Claude login (${config.storage.token_file}), not usable — see below`);
  else if (auth.error) log.warn(auth.error);
  else if (!auth.logged_in)
    log.warn("not logged in: requests will get 401 until you run `maximize login` (or `maximize login --print-url` on a headless machine)");
  else log.info(`credentials: ${auth.method === "api_key" ? "Anthropic API key" : `Claude login (${config.storage.token_file})`}`);
}

/** `maximize serve`: run the proxy until SIGINT/SIGTERM, then drain in-flight responses (10 s at most). */
export async function serveCommand(
  config: Config,
  env: Record<string, string | undefined> = {},
  reread: () => Config = () => config,
): Promise<number> {
  const log = createLogger({
    write: batchedStderr(),
    level: config.server.log_level,
    format: config.server.log_format,
    secrets: [...config.server.api_keys.map((k) => k.key), config.api.anthropic_api_key ?? ""],
  });
  // Before anything is announced: a supervisor may send SIGTERM the moment it sees "listening".
  const signals = watchSignals();
  const running = startServer({ config, log });
  // Before "listening" too: a SIGHUP or an edit right after it must find the watch in place.
  const configWatch = watchConfig({ file: config.file, reread, apply: running.reload, log });
  log.info(`maximize ${VERSION} listening on ${pc.bold(running.url)} → ${config.api.base_url}`);
  log.info(`config: ${config.file ?? "none, built-in defaults"}`);
  announceCredentials(config, log, running.accounts);
  // Only when asked for (update.check): nothing runs, and no request goes out, unless it is on.
  const updates = config.update.check ? (await import("./update.ts")).watchForUpdates({ fetch, env, log }) : undefined;

  const first = await signals.next();
  log.info(`${first} received: finishing in-flight requests (10s at most; send it again to stop now)`);
  const impatient = signals.next().then((again) => {
    log.warn(`${again} again: closing open connections now`);
    return running.stop(0);
  });
  updates?.stop();
  configWatch.stop();
  await Promise.race([running.stop(10_000), impatient]);
  log.info("stopped");
  return 0;
}

export const serve: Command = {
  name: "serve",
  summary: "start the proxy (no prompts; for Docker/systemd)",
  help: `Usage: maximize serve [--port N] [--bind ADDRESS]

Runs the proxy in the foreground until SIGINT/SIGTERM. On a signal it stops accepting
connections and lets responses in flight (streams too) finish, for 10 seconds at most;
a second Ctrl-C stops at once. SIGHUP, or saving the config file, reloads the config:
proxy keys, nicknames, log level and format, timeouts apply at once; a changed address
or login setting is named as needing a restart; a broken edit is refused and logged. Works without a login: /healthz answers, API requests
get a 401 that says to run \`maximize login\`.
`,
  options: {},
  // A reload reads the file serve started with (a missing or broken one is an error, never a silent fallback to another
  // file or to the defaults); with no file at start, the usual search.
  run: (ctx) =>
    serveCommand(ctx.config, ctx.env, () =>
      loadConfig({ env: ctx.env, flags: { ...ctx.args.configFlags, ...(ctx.config.file ? { config: ctx.config.file } : {}) } }),
    ),
};

export const health: Command = {
  name: "health",
  summary: "exit 0 if a local maximize answers /healthz (Docker HEALTHCHECK)",
  help: `Usage: maximize health [--port N] [--bind ADDRESS]

Exits 0 when a maximize on this machine answers /healthz, 1 otherwise. Meant for
HEALTHCHECK in images without curl.
`,
  options: {},
  run: (ctx) => healthCommand(ctx.config, ctx.out, ctx.err),
};
