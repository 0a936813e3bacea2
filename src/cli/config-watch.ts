import { type Stats, unwatchFile, watchFile } from "node:fs";
import { basename } from "node:path";
import type { Config } from "../config/load.ts";
import type { ReloadOutcome } from "../server/serve.ts";
import type { Logger } from "../shared/log.ts";

/** How often the config file is looked at. A stat poll (which follows symlinks) survives what a change watch loses:
 * editors renaming a new file over the old one, a Kubernetes ConfigMap swapping its `..data` link, a folder re-created. */
const POLL_MS = 1000;

const plural = (names: string[], one: string, many: string) => `${names.join(", ")} ${names.length === 1 ? one : many}`;

/**
 * Re-reads the config on SIGHUP and when its file changes, and hands it to the running server. A broken or unsafe edit
 * keeps the running config and says exactly what is wrong; a setting that needs a restart is named.
 */
export function watchConfig(options: {
  file: string | undefined;
  reread: () => Config;
  apply: (next: Config) => ReloadOutcome;
  log: Logger;
}): { stop(): void } {
  const { log } = options;
  const reload = (why: string) => {
    let next: Config;
    let outcome: ReloadOutcome;
    try {
      next = options.reread();
      outcome = options.apply(next);
    } catch (error) {
      log.error(`config not reloaded (${why}): ${(error as Error).message} — the running config stays in effect`);
      return;
    }
    for (const notice of next.notices) log.info(notice);
    const { applied, restart } = outcome;
    if (applied.length === 0 && restart.length === 0) return log.info(`config re-read (${why}): nothing changed`);
    if (applied.length > 0) log.info(`config reloaded (${why}): ${plural(applied, "is", "are")} now in effect`);
    if (restart.length > 0) log.warn(`config changed (${why}): ${plural(restart, "takes", "take")} effect only after a restart`);
  };

  const onHangup = () => reload("SIGHUP");
  process.on("SIGHUP", onHangup);

  const file = options.file;
  const onChange = (current: Stats, previous: Stats) => {
    const same =
      current.mtimeMs === previous.mtimeMs &&
      current.size === previous.size &&
      current.ino === previous.ino &&
      current.dev === previous.dev;
    if (same) return;
    // A file that is gone (mtime 0) is reported by the reload itself: it reads the file serve started with.
    reload(`${basename(file ?? "config")} changed`);
  };
  if (file) watchFile(file, { interval: POLL_MS, persistent: false }, onChange);
  return {
    stop() {
      process.off("SIGHUP", onHangup);
      if (file) unwatchFile(file, onChange);
    },
  };
}
