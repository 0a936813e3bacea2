import { existsSync } from "node:fs";
import { resolve } from "node:path";
import * as v from "valibot";
import { defaultTokenFile, homeDir, resolveTokenFile } from "./paths.ts";
import { ConfigSchema, STRING_SETTINGS } from "./schema.ts";
import { UserError } from "../shared/errors.ts";
import { describeIssue, isDefaultMessage } from "../shared/issues.ts";
import { readJsonFile } from "../shared/json-file.ts";

/** The configuration: what ConfigSchema gives, with the token file resolved to an absolute path. */
export type Config = Omit<v.InferOutput<typeof ConfigSchema>, "storage"> & {
  storage: { token_file: string };
  /** The config file that was read, if any. */
  file?: string;
};

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
  // A schema without its own message (valibot's developer wording): the shared sentence instead.
  if (isDefaultMessage(issue.message)) return `${where}: ${describeIssue(issue, "the file")}`;
  if (!path) return `${where}: the file must hold ${issue.message}, got ${describe(issue.input)}`;
  return `${where}: ${path} is ${describe(issue.input)} — expected ${issue.message}`;
}

/** The config file, validated, with every default filled in. */
function readConfigFile(path: string): v.InferOutput<typeof ConfigSchema> {
  const read = readJsonFile(path, ConfigSchema);
  if (read.ok) return read.value;
  const { problem } = read;
  if (problem.kind === "missing" || problem.kind === "unreadable") {
    throw new ConfigError(`cannot read config file ${path}: ${problem.kind === "missing" ? "it does not exist" : problem.message}`);
  }
  if (problem.kind === "not_json") throw new ConfigError(`config file ${path} is not valid JSON: ${problem.message}`);
  if (problem.kind === "not_object") throw new ConfigError(`config file ${path} must hold a JSON object, got ${describe(problem.value)}`);
  throw new ConfigError(explainIssue(problem.issue, `config file ${path}`));
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
    const fromFlag = setting.flag ? sources.flags[setting.flag.name] : undefined;
    const envName = setting.env.find((name) => sources.env[name] !== undefined && sources.env[name] !== "");
    const raw = fromFlag ?? (envName ? sources.env[envName] : undefined);
    if (raw === undefined) continue;
    const where = fromFlag !== undefined ? `option --${setting.flag?.name}` : `environment variable ${envName}`;
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
  const file = fileRef ? readConfigFile(fileRef.path) : v.parse(ConfigSchema, {});
  // Flags and the environment win over the file and the defaults (they were checked where they came from).
  const over = stringOverrides(sources) as Partial<Record<keyof typeof file, Record<string, unknown>>>;
  const merged = Object.fromEntries(
    Object.entries(file).map(([section, values]) => [section, { ...values, ...over[section as keyof typeof over] }]),
  ) as typeof file;
  const home = homeDir(sources.env);
  const tokenFile = merged.storage.token_file;
  const config: Config = {
    ...merged,
    storage: { token_file: tokenFile ? resolveTokenFile(tokenFile, home, sources.cwd) : defaultTokenFile(home) },
  };
  config.api.base_url = config.api.base_url.replace(/\/+$/, "");
  if (fileRef) config.file = fileRef.path;
  return config;
}
