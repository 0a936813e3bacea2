import pc from "picocolors";
import type { Config } from "../config/load.ts";
import { createLogger } from "../server/log.ts";
import { createCredentials, startServer } from "../server/serve.ts";
import { VERSION } from "../version.ts";

/** `maximize serve`: run the proxy until SIGINT/SIGTERM, then drain in-flight responses (10 s at most). */
export async function serveCommand(config: Config): Promise<number> {
  const log = createLogger({ level: config.server.log_level, secrets: [...config.server.api_keys, config.api.anthropic_api_key ?? ""] });
  const running = startServer({ config, log });
  const auth = createCredentials(config, fetch).status();
  log.info(`maximize ${VERSION} listening on ${pc.bold(running.url)} → ${config.api.base_url}`);
  if (auth.error) log.warn(auth.error);
  else if (!auth.logged_in) log.warn("not logged in: requests will get 401 until you run `maximize login`");
  else log.info(`credentials: ${auth.method === "api_key" ? "Anthropic API key" : `Claude login (${config.storage.token_file})`}`);

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info(`${signal} received: finishing in-flight requests (10s at most)`);
      void running.stop(10_000).then(resolve);
    };
    process.once("SIGINT", () => shutdown("SIGINT"));
    process.once("SIGTERM", () => shutdown("SIGTERM"));
  });
  log.info("stopped");
  return 0;
}
