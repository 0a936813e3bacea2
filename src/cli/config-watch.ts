import { watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import type { Config } from "../config/load.ts";
import type { ReloadOutcome } from "../server/serve.ts";
import type { Logger } from "../shared/log.ts";

/** Edits come in bursts (an editor writes, renames, touches): one reload after they settle. */
const DEBOUNCE_MS = 250;

/**
 * Re-reads the config on SIGHUP and when its file changes, and hands it to the running server. A broken edit keeps
 * the running config and says exactly what is wrong; a setting that needs a restart is named.
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
    try {
      next = options.reread();
    } catch (error) {
      log.error(`config not reloaded (${why}): ${(error as Error).message} — the running config stays in effect`);
      return;
    }
    const { applied, restart } = options.apply(next);
    if (applied.length === 0 && restart.length === 0) return log.info(`config re-read (${why}): nothing changed`);
    if (applied.length > 0) log.info(`config reloaded (${why}): ${applied.join(", ")} now in effect`);
    if (restart.length > 0) log.warn(`config changed (${why}): ${restart.join(", ")} take effect only after a restart`);
  };

  const onHangup = () => reload("SIGHUP");
  process.on("SIGHUP", onHangup);

  let watcher: FSWatcher | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.file) {
    const name = basename(options.file);
    try {
      // The folder, not the file: editors replace a file by renaming a new one over it, which a file watch loses.
      watcher = watch(dirname(options.file), (_event, changed) => {
        if (changed !== null && changed !== name) return;
        clearTimeout(timer);
        timer = setTimeout(() => reload(`${name} changed`), DEBOUNCE_MS);
      });
      watcher.unref?.();
    } catch (error) {
      log.info(`not watching ${options.file} for changes (${(error as Error).message}); send SIGHUP to reload it`);
    }
  }
  return {
    stop() {
      process.off("SIGHUP", onHangup);
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
