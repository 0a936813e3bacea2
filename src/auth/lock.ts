import { closeSync, openSync, rmSync, statSync, writeSync } from "node:fs";

/**
 * A cross-process lock next to the token file, so two maximize processes sharing one token file never
 * spend the same single-use refresh token twice. `open(..., "wx")` is atomic; a lock older than
 * `staleMs` (a process killed mid-refresh) is taken over.
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>, options = { staleMs: 60_000, waitMs: 45_000 }): Promise<T> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const fd = tryCreate(lockPath);
    if (fd !== undefined) {
      try {
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return await work();
      } finally {
        rmSync(lockPath, { force: true });
      }
    }
    const age = Date.now() - (statSync(lockPath, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > options.staleMs) {
      rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the token lock ${lockPath} held by another maximize process`);
    await Bun.sleep(25);
  }
}

function tryCreate(lockPath: string): number | undefined {
  try {
    return openSync(lockPath, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw error;
  }
}
