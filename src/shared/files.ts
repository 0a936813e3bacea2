/**
 * Files maximize keeps (the token file, the reasoning key, a pending login, the refresh lock), written and removed in
 * one place. A failure is a `FileError` that says what was tried on which path, why in plain words (not "EACCES"
 * alone) and what to do: "make /data writable by uid 10001, or set MAXIMIZE_TOKEN_FILE to a writable path".
 */
import { chmodSync, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, type Stats, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "./errors.ts";

export class FileError extends UserError {
  override name = "FileError";
  constructor(
    message: string,
    /** The OS error code ("EACCES", "ENOTDIR"…), when there was one. */
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** What the file is and where else it could go, for the message: { what: "token file", elsewhere: "set …" }. */
export interface FileRole {
  /** "the token file", "the reasoning key"… */
  what: string;
  /** The other way out, e.g. "set MAXIMIZE_TOKEN_FILE to a writable path". */
  elsewhere?: string;
}

/** The OS's reason in plain words. */
const REASONS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the filesystem is read-only",
  ENOTDIR: "a part of the path is a file, not a directory",
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is used up",
  EISDIR: "it is a directory",
  ENOENT: "it does not exist",
  EEXIST: "it already exists",
  ELOOP: "too many symbolic links in the path",
  ENAMETOOLONG: "the path is too long",
  EMFILE: "too many open files",
  ENFILE: "too many open files on this system",
  EIO: "an input/output error on the disk",
  EBUSY: "it is busy (in use by something else)",
  ETXTBSY: "it is busy (in use by something else)",
  EXDEV: "it is on another filesystem",
};

const codeOf = (error: unknown): string | undefined => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
};

/** The OS's reason for a failed file operation in plain words, with its code: "permission denied (EACCES)". */
/**
 * A file's identity as the watchers of a token or account file compare it: modified, size, inode ("" for no file).
 * An atomic rewrite (a new inode) changes it even within the same millisecond.
 */
export const statStamp = (stat: Stats | undefined): string => (stat ? `${stat.mtimeMs}:${stat.size}:${stat.ino}` : "");

export function plainReason(error: unknown): string {
  const code = codeOf(error);
  return code ? `${REASONS[code] ?? "the system refused"} (${code})` : ((error as Error)?.message ?? String(error));
}

/** The user a permission must be granted to: "uid 10001" (POSIX), else "the user running maximize". */
export function whoAmI(): string {
  const uid = process.getuid?.();
  return uid === undefined ? "the user running maximize" : `uid ${uid}`;
}

/** The first part of `path` that exists but is not a directory (what ENOTDIR is about), if any. */
function fileInTheWay(path: string): string | undefined {
  const parts: string[] = [];
  for (let current = resolve(path); current !== dirname(current); current = dirname(current)) parts.unshift(current);
  for (const part of parts.slice(0, -1)) {
    const stat = (() => {
      try {
        return lstatSync(part, { throwIfNoEntry: false });
      } catch {
        return undefined;
      }
    })();
    if (stat && !stat.isDirectory() && !stat.isSymbolicLink()) return part;
  }
  return undefined;
}

/**
 * One sentence for a failed file operation: "cannot write the token file /data/tokens.json: permission denied
 * (EACCES) — make /data writable by uid 10001, or set MAXIMIZE_TOKEN_FILE to a writable path".
 */
export function describeFileError(error: unknown, action: "read" | "write" | "remove", path: string, role: FileRole): string {
  // Creating directories through a file fails with EEXIST (mkdir) as often as ENOTDIR: both mean a file is in the way.
  const inTheWay = codeOf(error) === "EEXIST" || codeOf(error) === "ENOTDIR" ? fileInTheWay(path) : undefined;
  const code = inTheWay ? "ENOTDIR" : codeOf(error);
  const reason = inTheWay ? plainReason({ code }) : plainReason(error);
  const dir = dirname(path);
  const or = role.elsewhere ? `, or ${role.elsewhere}` : "";
  const next = (() => {
    switch (code) {
      case "EACCES":
      case "EPERM":
        return action === "read"
          ? `make ${path} readable by ${whoAmI()}${or}`
          : `make ${dir} writable by ${whoAmI()} (e.g. chown the directory or the mounted volume)${or}`;
      case "EROFS":
        return `mount ${dir} read-write (a Docker volume without :ro)${or}`;
      case "ENOTDIR":
        return `${inTheWay ? `${inTheWay} is a file, not a directory: move it away` : "check the path"}${or}`;
      case "ENOSPC":
      case "EDQUOT":
        return `free some space on the disk holding ${dir}${or}`;
      case "EISDIR":
        return `point it at a file, not a directory${or}`;
      default:
        return `check ${dir} and its permissions${or}`;
    }
  })();
  return `cannot ${action} ${role.what} ${path}: ${reason} — ${next}`;
}

/** True when `path` is a directory; false when it is missing, a file, or cannot be looked at. */
export function isDirectory(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

/** Runs a file operation, turning an OS error into a FileError that says what to do. */
export function attempt<T>(action: "read" | "write" | "remove", path: string, role: FileRole, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(describeFileError(error, action, path, role), codeOf(error));
  }
}

/** Creates the directory `path` goes in (and its parents) with mode 0700 if missing, or says why it cannot. */
export function ensureParentDirectory(path: string, role: FileRole): void {
  attempt("write", path, role, () => mkdirSync(dirname(path), { recursive: true, mode: 0o700 }));
}

/** Creates `path` (it must not exist), writes `data`, flushes it to disk and sets `mode` (whatever the umask). */
export function writeNewFileSynced(path: string, data: string | Uint8Array, mode: number): void {
  const fd = openSync(path, "wx", mode);
  try {
    // Until every byte is down: a write may be short (a full disk can return a short count without an error).
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    for (let at = 0; at < bytes.byteLength; ) {
      const wrote = writeSync(fd, bytes, at, bytes.byteLength - at);
      if (wrote <= 0) throw Object.assign(new Error(`wrote ${at} of ${bytes.byteLength} bytes`), { code: "ENOSPC" });
      at += wrote;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, mode);
}

/**
 * Writes `data` to `path` atomically with mode 0600 (secrets live here): a temp file in the same directory, fsync,
 * then rename. The directory is created (0700) when missing. Throws a FileError saying what to do.
 */
export function writeFileAtomic(path: string, data: string, role: FileRole): void {
  attempt("write", path, role, () => {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = join(dir, `.${basename(path)}.${process.pid}.${crypto.randomUUID()}.tmp`);
    try {
      writeNewFileSynced(temp, data, 0o600);
      renameSync(temp, path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  });
}

/** Removes `path` if it is there; true when it was. Throws a FileError saying what to do. */
export function removeFile(path: string, role: FileRole): boolean {
  return attempt("remove", path, role, () => {
    const existed = (() => {
      try {
        return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
      } catch (error) {
        if (codeOf(error) === "ENOTDIR") return false; // a part of the path is a file: nothing can be there
        throw error;
      }
    })();
    if (existed) rmSync(path, { force: true });
    return existed;
  });
}
