import type { Fetch } from "../shared/http.ts";
import type { Config } from "../config/load.ts";
import type { Logger } from "../shared/log.ts";
import { startServer, type RunningServer } from "../server/serve.ts";

/** The in-process proxy the menu starts and stops. Stop awaits the server, so the port is free afterwards. */
export interface ProxyControl {
  readonly url: string | undefined;
  start(): string;
  /** Stops accepting and lets in-flight responses finish for `graceMs`; called again while stopping, with 0: closes them now. */
  stop(graceMs?: number): Promise<void>;
}

export function createProxyControl(options: { config: Config; log: Logger; fetch?: Fetch }): ProxyControl {
  let running: RunningServer | undefined;
  let stopping: RunningServer | undefined;
  return {
    get url() {
      return running?.url;
    },
    start() {
      running ??= startServer(options);
      return running.url;
    },
    async stop(graceMs = 10_000) {
      const current = running ?? stopping;
      running = undefined;
      stopping = current;
      await current?.stop(graceMs);
      if (stopping === current) stopping = undefined;
    },
  };
}
