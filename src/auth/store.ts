import { chmodSync, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import * as v from "valibot";
import { UserError } from "../shared/errors.ts";
import { describeIssue } from "../shared/issues.ts";
import { readJsonFile } from "../shared/json-file.ts";

/**
 * The token file: `{"access_token","refresh_token","expires_at":<unix seconds>}` plus optional fields —
 * exactly what the ported tool wrote, so its files keep working. Written atomically with mode 0600.
 */
export const TokenFileSchema = v.looseObject({
  access_token: v.pipe(v.string("a string"), v.nonEmpty("a non-empty string")),
  refresh_token: v.optional(v.nullable(v.string("a string or null"))),
  expires_at: v.optional(v.nullable(v.number("a unix time in seconds, or null for a token that does not expire"))),
  token_type: v.optional(v.string()),
  scopes: v.optional(v.union([v.string(), v.array(v.string())])),
  account: v.optional(v.unknown()),
  organization: v.optional(v.unknown()),
});
export type StoredTokens = v.InferOutput<typeof TokenFileSchema>;

export class TokenFileError extends UserError {
  override name = "TokenFileError";
}

/** Writes `data` to `path` atomically: a 0600 temp file in the same directory, fsync, then rename. */
export function writeSecretFile(path: string, data: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${crypto.randomUUID()}.tmp`);
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(temp, 0o600);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export interface TokenStore {
  readonly path: string;
  /** The stored tokens, or undefined when there is no token file. Throws TokenFileError when it is unusable. */
  read(): StoredTokens | undefined;
  write(tokens: StoredTokens): void;
  remove(): boolean;
}

export function createTokenStore(path: string): TokenStore {
  const read = (): StoredTokens | undefined => {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat) return undefined;
    if (stat.isDirectory()) throw new TokenFileError(`token file ${path} is a directory — point storage.token_file at a file`);
    if (stat.isSymbolicLink())
      throw new TokenFileError(
        `token file ${path} is a symbolic link — refusing to follow it; replace it with a regular file or run \`maximize login\``,
      );
    const read = readJsonFile(path, TokenFileSchema);
    if (read.ok) return read.value;
    const { problem } = read;
    if (problem.kind === "missing") return undefined; // gone between the stat and the read
    if (problem.kind === "unreadable") throw new TokenFileError(`cannot read token file ${path}: ${problem.message}`);
    if (problem.kind === "invalid") {
      throw new TokenFileError(
        `token file ${path}: ${describeIssue(problem.issue, "the file")} — fix it or run \`maximize login\` to replace it`,
      );
    }
    throw new TokenFileError(
      `token file ${path} is not ${problem.kind === "not_json" ? "valid JSON" : "a JSON object"} — fix it or run \`maximize login\` to replace it`,
    );
  };

  return {
    path,
    read,
    write: (tokens) => writeSecretFile(path, `${JSON.stringify(tokens, null, 2)}\n`),
    remove: () => {
      const existed = lstatSync(path, { throwIfNoEntry: false }) !== undefined;
      rmSync(path, { force: true });
      return existed;
    },
  };
}
