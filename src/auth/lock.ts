import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { FileError, describeFileError } from "../shared/files.ts";
import { besideTokenFile } from "./store.ts";

/**
 * A cross-process lock next to the token file, so two maximize processes sharing one token file never
 * spend the same single-use refresh token twice. `open(..., "wx")` is atomic. A lock is taken over when
 * its owner is gone: a dead PID on this host, or older than `staleMs` (a process on another host or
 * container that was killed mid-refresh).
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>, options = { staleMs: 40_000, waitMs: 45_000 }): Promise<T> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const fd = tryCreate(lockPath);
    if (fd !== undefined) {
      const owner = `${process.pid}@${hostname()}@${crypto.randomUUID()}`;
      try {
        writeSync(fd, `${owner}\n`);
        closeSync(fd);
        return await work();
      } finally {
        // Only our own lock: another process may have taken it over as stale meanwhile.
        if (readLock(lockPath) === owner) rmSync(lockPath, { force: true });
      }
    }
    if (isStale(lockPath, options.staleMs)) {
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return undefined;
    throw new FileError(describeFileError(error, "write", lockPath, besideTokenFile("the token lock")), code);
  }
}

/** The lock's owner line, or undefined when it is gone (released between two looks). */
function readLock(lockPath: string): string | undefined {
  try {
    return readFileSync(lockPath, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function isStale(lockPath: string, staleMs: number): boolean {
  const stat = statSync(lockPath, { throwIfNoEntry: false });
  if (!stat) return false; // released meanwhile: just try again
  if (Date.now() - stat.mtimeMs > staleMs) return true;
  const [pid, host] = readLock(lockPath)?.split("@") ?? [];
  if (host !== hostname() || !pid) return false;
  return !isAlive(Number(pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
