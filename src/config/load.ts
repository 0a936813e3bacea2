import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as v from "valibot";
import { DEFAULT_OAUTH, DEFAULT_OAUTH_BETAS } from "./defaults.ts";
import { defaultTokenFile, homeDir, resolveTokenFile } from "./paths.ts";
import { FileSchema, STRING_SETTINGS, type FileConfig, type LogLevel, type NicknameConfig } from "./schema.ts";
import { UserError } from "../shared/errors.ts";

export interface Config {
  server: { port: number; bind_address: string; log_level: LogLevel; api_keys: string[]; allow_open: boolean };
  storage: { token_file: string };
  api: {
    base_url: string;
    request_timeout: number;
    stream_idle_timeout: number;
    anthropic_api_key?: string;
    /** Sent as user-agent upstream, except when the client is Claude Code itself (its own is passed on). */
    user_agent?: string;
    /** The betas a subscription request carries (merged with the client's). */
    oauth_betas: readonly string[];
  };
  oauth: { authorize_url: string; token_url: string; redirect_uri: string; client_id: string; scopes: string };
  /** Nicknames from config only; the built-in sizes are merged in by src/models/nicknames.ts. */
  models: { nicknames: Record<string, NicknameConfig>; default: string; refresh_interval: number };
  /** The config file that was read, if any. */
  file?: string;
}

/** A configuration mistake; the message names the source, the key, the value and what is allowed. */
export class ConfigError extends UserError {
  override name = "ConfigError";
}

export interface ConfigSources {
  env?: Record<string, string | undefined>;
  /** Command-line flags by name (without dashes), e.g. { port: "9000" }. */
  flags?: Record<string, string | undefined>;
  cwd?: string;
}

const DEFAULTS = {
  server: { port: 8081, bind_address: "127.0.0.1", log_level: "info", api_keys: [], allow_open: false },
  api: { base_url: "https://api.anthropic.com", request_timeout: 600, stream_idle_timeout: 300 },
  oauth: DEFAULT_OAUTH,
  models: { default: "l", refresh_interval: 3600 },
} as const;

/** Which config file to read: --config, then MAXIMIZE_CONFIG, then ./config.json if present. */
function configFilePath(sources: Required<ConfigSources>): { path: string; required: boolean } | undefined {
  const explicit = sources.flags.config ?? sources.env.MAXIMIZE_CONFIG;
  if (explicit) return { path: resolve(sources.cwd, explicit), required: true };
  const local = resolve(sources.cwd, "config.json");
  return existsSync(local) ? { path: local, required: false } : undefined;
}

const describe = (value: unknown) => (typeof value === "string" ? `"${value}"` : (JSON.stringify(value) ?? String(value)));

function explainIssue(issue: v.BaseIssue<unknown>, where: string): string {
  // A union (a nickname is a string or an object): the branch that got further says what is wrong inside it.
  // Its inner issues carry paths relative to the union.
  const deeper = issue.type === "union" ? issue.issues?.find((inner) => (inner.path?.length ?? 0) > 0) : undefined;
  if (deeper) return explainIssue({ ...deeper, path: [...(issue.path ?? []), ...(deeper.path ?? [])] as typeof deeper.path }, where);
  const path = v.getDotPath(issue);
  if (issue.type === "strict_object" && issue.expected === "never" && path) {
    const parent = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
    return `${where}: unknown key "${path}"${parent ? ` in "${parent}"` : ""} — remove it or check the spelling (see config.example.json)`;
  }
  if (!path) return `${where}: the file must hold ${issue.message}, got ${describe(issue.input)}`;
  return `${where}: ${path} is ${describe(issue.input)} — expected ${issue.message}`;
}

function readConfigFile(path: string): FileConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ConfigError(`config file ${path} must hold a JSON object, got ${describe(json)}`);
  }
  const result = v.safeParse(FileSchema, json);
  if (!result.success) throw new ConfigError(explainIssue(result.issues[0], `config file ${path}`));
  return result.output;
}

/** Sets a dot-path key ("server.port") on a nested plain object. */
function setPath(target: Record<string, unknown>, key: string, value: unknown) {
  const [section, name] = key.split(".") as [string, string];
  target[section] ??= {};
  const inner = target[section] as Record<string, unknown>;
  inner[name] = value;
}

/** Environment variables and flags, converted and validated, as a partial file-shaped object. */
function stringOverrides(sources: Required<ConfigSources>): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const setting of STRING_SETTINGS) {
    const fromFlag = setting.flag ? sources.flags[setting.flag] : undefined;
    const envName = setting.env.find((name) => sources.env[name] !== undefined && sources.env[name] !== "");
    const raw = fromFlag ?? (envName ? sources.env[envName] : undefined);
    if (raw === undefined) continue;
    const where = fromFlag !== undefined ? `option --${setting.flag}` : `environment variable ${envName}`;
    const result = v.safeParse(setting.parse, raw);
    if (!result.success) throw new ConfigError(`${where} is ${describe(raw)} — expected ${result.issues[0].message}`);
    setPath(overrides, setting.key, result.output);
  }
  return overrides;
}

/** Loads the configuration with precedence: flags > environment > config file > defaults. */
export function loadConfig(input: ConfigSources = {}): Config {
  const sources: Required<ConfigSources> = {
    env: input.env ?? process.env,
    flags: input.flags ?? {},
    cwd: input.cwd ?? process.cwd(),
  };
  const fileRef = configFilePath(sources);
  if (fileRef?.required && !existsSync(fileRef.path)) {
    throw new ConfigError(
      `config file ${fileRef.path} does not exist — fix MAXIMIZE_CONFIG / --config or create it from config.example.json`,
    );
  }
  const file: FileConfig = fileRef ? readConfigFile(fileRef.path) : {};
  const over = stringOverrides(sources) as FileConfig;
  const home = homeDir(sources.env);

  const tokenFile = over.storage?.token_file ?? file.storage?.token_file;
  const config: Config = {
    server: { ...DEFAULTS.server, ...file.server, ...over.server, api_keys: [...(over.server?.api_keys ?? file.server?.api_keys ?? [])] },
    storage: { token_file: tokenFile ? resolveTokenFile(tokenFile, home, sources.cwd) : defaultTokenFile(home) },
    api: { ...DEFAULTS.api, oauth_betas: DEFAULT_OAUTH_BETAS, ...file.api, ...over.api },
    oauth: { ...DEFAULTS.oauth, ...file.oauth, ...over.oauth },
    models: {
      nicknames: { ...file.models?.nicknames },
      default: over.models?.default ?? file.models?.default ?? DEFAULTS.models.default,
      refresh_interval: over.models?.refresh_interval ?? file.models?.refresh_interval ?? DEFAULTS.models.refresh_interval,
    },
  };
  config.api.base_url = config.api.base_url.replace(/\/+$/, "");
  if (fileRef) config.file = fileRef.path;
  return config;
}
