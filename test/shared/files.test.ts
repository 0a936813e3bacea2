import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeFileError, FileError, isDirectory, removeFile, writeFileAtomic } from "../../src/shared/files.ts";

const role = { what: "the token file", elsewhere: "set MAXIMIZE_TOKEN_FILE to a writable path" };
const uid = process.getuid?.();
const who = uid === undefined ? "the user running maximize" : `uid ${uid}`;
const oops = (code: string) => Object.assign(new Error(`${code}: something, open '/data/tokens.json'`), { code });

test.each([
  ["EACCES", "write", `permission denied (EACCES) — make /data writable by ${who}`],
  ["EPERM", "write", `operation not permitted (EPERM) — make /data writable by ${who}`],
  ["EACCES", "read", `permission denied (EACCES) — make /data/tokens.json readable by ${who}`],
  ["EROFS", "write", "the filesystem is read-only (EROFS) — mount /data read-write"],
  ["ENOSPC", "write", "the disk is full (ENOSPC) — free some space on the disk holding /data"],
  ["EDQUOT", "write", "the disk quota is used up (EDQUOT)"],
  ["EISDIR", "write", "it is a directory (EISDIR) — point it at a file"],
  ["EWHATEVER", "write", "the system refused (EWHATEVER) — check /data and its permissions"],
] as const)("%s on %s", (code, action, expected) => {
  const text = describeFileError(oops(code), action, "/data/tokens.json", role);
  expect(text).toStartWith(`cannot ${action} the token file /data/tokens.json: `);
  expect(text).toContain(expected);
  expect(text).toEndWith(", or set MAXIMIZE_TOKEN_FILE to a writable path");
});

test("a path through a regular file names the file in the way, whether the OS said ENOTDIR or EEXIST", () => {
  const dir = mkdtempSync(join(tmpdir(), "maximize-files-"));
  const blocker = join(dir, "file");
  writeFileSync(blocker, "x");
  let thrown: unknown;
  try {
    writeFileAtomic(join(blocker, "deeper", "tokens.json"), "{}", role);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(FileError);
  expect((thrown as FileError).message).toContain("a part of the path is a file, not a directory (ENOTDIR)");
  expect((thrown as FileError).message).toContain(`${blocker} is a file, not a directory: move it away`);
});

test("writeFileAtomic: creates the directory, writes 0600, leaves no temp file; removeFile says whether it was there", () => {
  const dir = mkdtempSync(join(tmpdir(), "maximize-files-"));
  const path = join(dir, "new", "secret.json");
  writeFileAtomic(path, "hello\n", role);
  expect(readFileSync(path, "utf8")).toBe("hello\n");
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(readdirSync(join(dir, "new"))).toEqual(["secret.json"]);
  expect(isDirectory(join(dir, "new"))).toBe(true);
  expect(removeFile(path, role)).toBe(true);
  expect(removeFile(path, role)).toBe(false);
  expect(removeFile(join(dir, "new", "secret.json", "below-a-missing-file"), role)).toBe(false);
});
