import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as v from "valibot";
import { defaultTokenFile, expandHome, homeDir, resolveTokenFile, userConfigFile } from "./paths.ts";
import { ConfigSchema, STRING_SETTINGS } from "./schema.ts";
import { UserError } from "../shared/errors.ts";
import { describeIssue, isDefaultMessage } from "../shared/issues.ts";
import { readJsonFile } from "../shared/json-file.ts";

/** The configuration: what ConfigSchema gives, with the token file resolved to an absolute path. */
export type Config = Omit<v.InferOutput<typeof ConfigSchema>, "storage"> & {
  storage: { token_file: string; accounts_dir: string };
  /** The config file that was read, if any. */
  file?: string;
  /** Things the user should hear about once, though nothing failed (a ./config.json that was skipped). */
  notices: string[];
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

/** Where the config file came from: named explicitly, the per-user file, or one in the current directory. */
type ConfigFileRef = { path: string; origin: "explicit" | "home" | "local"; content?: v.InferOutput<typeof ConfigSchema> };

/** The top-level keys of a maximize config file (its sections). */
const SECTIONS = new Set(Object.keys(ConfigSchema.entries));

/**
 * Settings a config.json merely found in the current folder may not set: they decide where the login and its tokens
 * are sent (a cloned repository could otherwise send them anywhere), whose account pays, who else can reach the
 * proxy, and whether it calls out for updates.
 */
const TRUSTED_ONLY = [
  "api.base_url",
  "api.anthropic_api_key",
  "oauth",
  "server.bind_address",
  "server.allow_open",
  "storage.token_file",
  "storage.accounts_dir",
  "accounts",
  "update",
] as const;

/**
 * Whether a `./config.json` may be used (then its validated content): a JSON object whose keys are all maximize sections, valid as a maximize
 * config, and setting none of TRUSTED_ONLY. Anything else is skipped with a notice saying why (pass it with --config
 * to have it read, and its mistakes explained).
 */
function checkLocalConfig(path: string): { problem: string } | { content: v.InferOutput<typeof ConfigSchema> } {
  const problem = (why: string) => ({ problem: why });
  const read = readJsonFile(path, v.record(v.string(), v.unknown()));
  if (!read.ok) {
    return problem(
      read.problem.kind === "not_json"
        ? "it is not JSON"
        : read.problem.kind === "unreadable"
          ? read.problem.message
          : "it is not a JSON object",
    );
  }
  const keys = Object.keys(read.value);
  const foreign = keys.filter((key) => !SECTIONS.has(key));
  if (keys.length === 0) return problem("it is empty");
  if (foreign.length > 0) return problem(`it has keys maximize does not use (${foreign.slice(0, 3).join(", ")})`);
  const sections = read.value as Record<string, Record<string, unknown> | undefined>;
  const sets = (key: string) => {
    const [section, name] = key.split(".") as [string, string | undefined];
    const values = sections[section];
    return name === undefined ? values !== undefined : typeof values === "object" && values !== null && name in values;
  };
  const risky = TRUSTED_ONLY.filter(sets);
  if (risky.length > 0) {
    return problem(
      `it sets ${risky.join(", ")}, which a config.json merely found in the current folder may not (they decide where your login is sent and who can reach the proxy); pass it with --config if you trust it`,
    );
  }
  // Validated from what was read above: the file is read once.
  const parsed = v.safeParse(ConfigSchema, read.value);
  if (!parsed.success) {
    return problem(`it is not a valid maximize config (${explainIssue(parsed.issues[0])}); pass it with --config to use it`);
  }
  return { content: parsed.output };
}

/**
 * Which config file to read: --config, then MAXIMIZE_CONFIG (`~` expanded in both), then ./config.json when it may be
 * used (said in a notice either way), then ~/.maximize/config.json.
 */
function configFilePath(sources: Required<ConfigSources>, home: string, notices: string[]): ConfigFileRef | undefined {
  const explicit = sources.flags.config ?? sources.env.MAXIMIZE_CONFIG;
  if (explicit) return { path: resolve(sources.cwd, expandHome(explicit, home)), origin: "explicit" };
  const local = resolve(sources.cwd, "config.json");
  if (existsSync(local)) {
    const check = checkLocalConfig(local);
    if ("content" in check) {
      notices.push(`using ${local}, found in the current folder`);
      return { path: local, origin: "local", content: check.content };
    }
    notices.push(`ignoring ${local}: ${check.problem} (maximize reads ${userConfigFile(home)}, or --config FILE)`);
  }
  const user = userConfigFile(home);
  return existsSync(user) ? { path: user, origin: "home" } : undefined;
}

const describe = (value: unknown) => (typeof value === "string" ? `"${value}"` : (JSON.stringify(value) ?? String(value)));

/** Config paths whose values are secrets. */
const SECRET_PATHS = ["server.api_keys", "api.anthropic_api_key"];

/** What is wrong, in words (the caller says where). */
function explainIssue(issue: v.BaseIssue<unknown>): string {
  // A union (a nickname is a string or an object): the branch that got further says what is wrong inside it.
  // Its inner issues carry paths relative to the union.
  const deeper = issue.type === "union" ? issue.issues?.find((inner) => (inner.path?.length ?? 0) > 0) : undefined;
  if (deeper) return explainIssue({ ...deeper, path: [...(issue.path ?? []), ...(deeper.path ?? [])] as typeof deeper.path });
  const path = v.getDotPath(issue);
  if (issue.type === "strict_object" && issue.expected === "never" && path) {
    const parent = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
    return `unknown key "${path}"${parent ? ` in "${parent}"` : ""} — remove it or check the spelling (see config.example.json)`;
  }
  // A schema without its own message (valibot's developer wording): the shared sentence instead.
  if (isDefaultMessage(issue.message)) return describeIssue(issue, "the file");
  if (!path) return `the file must hold ${issue.message}, got ${describe(issue.input)}`;
  // Keys are secrets: a wrong one is described, never repeated.
  const shown = SECRET_PATHS.some((secret) => path === secret || path.startsWith(`${secret}.`))
    ? "not accepted"
    : `is ${describe(issue.input)}`;
  return `${path} ${shown} — expected ${issue.message}`;
}

/** The config file, validated, with every default filled in. */
function readConfigFile(path: string): v.InferOutput<typeof ConfigSchema> {
  const read = readJsonFile(path, ConfigSchema);
  if (read.ok) return read.value;
  const { problem } = read;
  if (problem.kind === "missing" || problem.kind === "unreadable") {
    throw new ConfigError(`cannot read config file ${path}: ${problem.kind === "missing" ? "it does not exist" : problem.message}`);
  }
  // Not the parser's text: it quotes the offending token, which may be a key typed without its quotes.
  if (problem.kind === "not_json") {
    throw new ConfigError(
      `config file ${path} is not valid JSON — look for a missing quote, comma or brace (\`jq . ${path}\` shows where)`,
    );
  }
  if (problem.kind === "not_object") throw new ConfigError(`config file ${path} must hold a JSON object, got ${describe(problem.value)}`);
  throw new ConfigError(`config file ${path}: ${explainIssue(problem.issue)}`);
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

/**
 * An Anthropic API key goes upstream as `x-api-key`: a Claude login token there is refused by Anthropic with a 401
 * that does not say why. Refuse the shapes that are certainly wrong (never repeating the value), note the doubtful.
 */
export function apiKeyProblem(key: string, where: string): string | undefined {
  if (/^sk-ant-oat\d{2}-/.test(key)) {
    throw new ConfigError(
      `${where} holds a Claude login token (sk-ant-oat…), not an Anthropic API key — store it with \`maximize login --token -\` (it reads the token from stdin) and remove ${where}`,
    );
  }
  if (/^sk-ant-ort\d{2}-/.test(key)) {
    throw new ConfigError(
      `${where} holds a Claude refresh token (sk-ant-ort…), not an Anthropic API key — remove it and run \`maximize login\``,
    );
  }
  if (/\s/.test(key)) throw new ConfigError(`${where} contains spaces or line breaks — copy the API key again, without them`);
  if (!key.startsWith("sk-ant-api")) {
    return `${where} does not look like an Anthropic API key (sk-ant-api03-…); it is sent as x-api-key as it is`;
  }
  return undefined;
}

/** Loads the configuration with precedence: flags > environment > config file > defaults. */
export function loadConfig(input: ConfigSources = {}): Config {
  const sources: Required<ConfigSources> = {
    env: input.env ?? process.env,
    flags: input.flags ?? {},
    cwd: input.cwd ?? process.cwd(),
  };
  const home = homeDir(sources.env);
  const notices: string[] = [];
  const fileRef = configFilePath(sources, home, notices);
  if (fileRef?.origin === "explicit" && !existsSync(fileRef.path)) {
    throw new ConfigError(
      `config file ${fileRef.path} does not exist — fix MAXIMIZE_CONFIG / --config or create it from config.example.json`,
    );
  }
  const file = fileRef?.content ?? (fileRef ? readConfigFile(fileRef.path) : v.parse(ConfigSchema, {}));
  // Flags and the environment win over the file and the defaults (they were checked where they came from).
  const over = stringOverrides(sources) as Partial<Record<keyof typeof file, Record<string, unknown>>>;
  const merged = Object.fromEntries(
    Object.entries(file).map(([section, values]) => [section, { ...values, ...over[section as keyof typeof over] }]),
  ) as typeof file;
  const tokenFile = merged.storage.token_file ? resolveTokenFile(merged.storage.token_file, home, sources.cwd) : defaultTokenFile(home);
  const accountsDir = merged.storage.accounts_dir;
  const config: Config = {
    ...merged,
    storage: {
      token_file: tokenFile,
      // Beside the token file unless named: a Docker volume holding the token file holds the accounts too.
      accounts_dir: accountsDir ? resolve(sources.cwd, expandHome(accountsDir, home)) : join(dirname(tokenFile), "accounts"),
    },
    notices,
  };
  config.api.base_url = config.api.base_url.replace(/\/+$/, "");
  if (config.api.anthropic_api_key) {
    const fromEnv = sources.env.MAXIMIZE_ANTHROPIC_API_KEY ? "MAXIMIZE_ANTHROPIC_API_KEY" : undefined;
    const where = fromEnv ?? `api.anthropic_api_key in ${fileRef?.path ?? "the config file"}`;
    const doubt = apiKeyProblem(config.api.anthropic_api_key, where);
    if (doubt) notices.push(doubt);
  }
  if (fileRef) config.file = fileRef.path;
  return config;
}
