/**
 * The accounts on disk. The token file (storage.token_file) is the account `default`, as it always was; every other
 * account is a file `<name>.json` in storage.accounts_dir: a Claude login in the token file's format, or an Anthropic
 * API key (`{"api_key": "sk-ant-api03-…"}`). Each file is its own refresh chain with its own lock beside it.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import { apiKeyProblem, type Config } from "../config/load.ts";
import { ACCOUNT_NAME, ACCOUNT_NAME_RULE } from "../config/schema.ts";
import { AuthError, UserError } from "../shared/errors.ts";
import type { Fetch } from "../shared/http.ts";
import { readJsonFile } from "../shared/json-file.ts";
import { createTokenStore, writeSecretFile } from "./store.ts";
import { apiKeyCredentials, oauthCredentials, type Credentials } from "./tokens.ts";

export const DEFAULT_ACCOUNT = "default";

export interface AccountRef {
  name: string;
  /** The account's file. */
  path: string;
}

export type AccountKind = "oauth" | "api_key";

/** An account name as typed on the command line or in a header: checked, or a UserError saying what a name may be. */
export function checkAccountName(name: string, where = "the account name"): string {
  if (ACCOUNT_NAME.test(name)) return name;
  throw new UserError(`${where} "${name.slice(0, 40)}" is not usable — use ${ACCOUNT_NAME_RULE}`);
}

export const accountFile = (config: Config, name: string): string =>
  name === DEFAULT_ACCOUNT ? config.storage.token_file : join(config.storage.accounts_dir, `${name}.json`);

const ACCOUNT_FILE = /^([a-z0-9][a-z0-9_-]{0,31})\.json$/;

const exists = (path: string) => {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true; // there, but not readable: reading it says why
  }
};

/**
 * The accounts there are: `default` first when its token file exists (or when there is no other account, so that a
 * fresh install still has one account that says "not logged in"), then the accounts directory's, by name. (With an
 * Anthropic API key in the config, api.anthropic_api_key, that key is the one account: its users do not list files.)
 */
export function listAccounts(config: Config): AccountRef[] {
  let names: string[] = [];
  try {
    names = readdirSync(config.storage.accounts_dir)
      .map((file) => ACCOUNT_FILE.exec(file)?.[1])
      .filter((name): name is string => name !== undefined && name !== DEFAULT_ACCOUNT)
      .sort();
  } catch {
    names = []; // no accounts directory (yet): only the token file
  }
  const others = names.map((name) => ({ name, path: accountFile(config, name) }));
  const fallback = { name: DEFAULT_ACCOUNT, path: config.storage.token_file };
  return exists(config.storage.token_file) || others.length === 0 ? [fallback, ...others] : others;
}

const ApiKeyFile = v.looseObject({ api_key: v.pipe(v.string(), v.nonEmpty()) });

/** An API-key account's key, or undefined when the file is a Claude login (or missing: the login code says so). */
export function readApiKey(path: string): string | undefined {
  const read = readJsonFile(path, ApiKeyFile);
  return read.ok ? read.value.api_key : undefined;
}

/** Stores an API-key account (0600, atomically) after checking the key's shape; a doubtful shape is returned as a note. */
export function writeApiKeyAccount(path: string, key: string): string | undefined {
  const note = apiKeyProblem(key, "the key");
  writeSecretFile(path, `${JSON.stringify({ api_key: key, created_at: new Date().toISOString() }, null, 2)}\n`);
  return note;
}

/** The credentials of one account file: an API key, or a Claude login refreshed single-flight under its own lock. */
export function accountCredentials(
  config: Config,
  ref: AccountRef,
  fetch: Fetch,
  onRefresh?: (outcome: "ok" | "failed", detail?: string) => void,
): { kind: AccountKind; credentials: Credentials } {
  const key = readApiKey(ref.path);
  if (key !== undefined) return { kind: "api_key", credentials: apiKeyCredentials(key, ref.path, ref.name) };
  const credentials = oauthCredentials({ config, store: createTokenStore(ref.path), fetch, onRefresh });
  return { kind: "oauth", credentials: ref.name === DEFAULT_ACCOUNT ? credentials : namedLogin(credentials, ref.name) };
}

/** A named account's messages tell the command for that account: `maximize login --account work`, not `maximize login`. */
function namedLogin(credentials: Credentials, account: string): Credentials {
  const reword = (message: string) => message.replaceAll("`maximize login", `\`maximize login --account ${account}`);
  const rethrow = (error: unknown): never => {
    throw error instanceof AuthError ? new AuthError(error.kind, reword(error.message)) : error;
  };
  return {
    get: () => credentials.get().catch(rethrow),
    renew: (rejected, why) => credentials.renew(rejected, why).catch(rethrow),
    confirm: (accepted) => credentials.confirm?.(accepted),
    refresh: () => credentials.refresh().catch(rethrow),
    status: () => {
      const status = credentials.status();
      return status.error ? { ...status, error: reword(status.error) } : status;
    },
  };
}
