import { lstatSync } from "node:fs";
import * as v from "valibot";
import { UserError } from "../shared/errors.ts";
import { attempt, removeFile, whoAmI, writeFileAtomic, type FileRole } from "../shared/files.ts";
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
  /**
   * Set when the token endpoint refused the refresh token, or the API refused a long-lived token: the login is dead
   * until the next `maximize login` replaces the file. Recorded so every process (`status`, a second proxy) knows.
   */
  login_dead: v.optional(v.looseObject({ at: v.number(), reason: v.string() })),
});
export type StoredTokens = v.InferOutput<typeof TokenFileSchema>;

export class TokenFileError extends UserError {
  override name = "TokenFileError";
}

/** Files beside the token file go where it goes: the way out of a directory maximize cannot use. */
export const besideTokenFile = (what: string): FileRole => ({
  what,
  elsewhere: "set MAXIMIZE_TOKEN_FILE (storage.token_file) to a path in a writable directory",
});

/** Writes `data` to `path` atomically with mode 0600 (shared/files.ts); a failure says what to do. */
export function writeSecretFile(path: string, data: string, role: FileRole = besideTokenFile("the token file")): void {
  writeFileAtomic(path, data, role);
}

export interface TokenStore {
  readonly path: string;
  /** The stored tokens, or undefined when there is no token file. Throws TokenFileError when it is unusable. */
  read(): StoredTokens | undefined;
  write(tokens: StoredTokens): void;
  remove(): boolean;
}

const TOKEN_FILE = besideTokenFile("the token file");

export function createTokenStore(path: string): TokenStore {
  const read = (): StoredTokens | undefined => {
    const stat = attempt("read", path, TOKEN_FILE, () => lstatSync(path, { throwIfNoEntry: false }));
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
    if (problem.kind === "unreadable") {
      throw new TokenFileError(
        `cannot read token file ${path}: ${problem.message} — make it readable by ${whoAmI()}, or run \`maximize login\` to replace it`,
      );
    }
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
    write: (tokens) => writeFileAtomic(path, `${JSON.stringify(tokens, null, 2)}\n`, TOKEN_FILE),
    remove: () => removeFile(path, TOKEN_FILE),
  };
}
