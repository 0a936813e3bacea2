import * as v from "valibot";
import { LOG_FORMATS, LOG_LEVELS } from "../shared/log.ts";
import { DEFAULT_OAUTH, DEFAULT_OAUTH_BETAS } from "./defaults.ts";

export { LOG_LEVELS, type LogLevel } from "../shared/log.ts";

/**
 * The config file schema. Strict at every level: an unknown key is a mistake the user wants to hear about.
 * Each schema's message says what is allowed; load.ts turns issues into one sentence naming key and value.
 */

const portNumber = v.pipe(
  v.number("an integer from 1 to 65535"),
  v.integer("an integer from 1 to 65535"),
  v.minValue(1, "an integer from 1 to 65535"),
  v.maxValue(65535, "an integer from 1 to 65535"),
);
const seconds = v.pipe(v.number("a number of seconds above 0"), v.minValue(0.001, "a number of seconds above 0"));
const nonEmpty = v.pipe(v.string("a non-empty string"), v.trim(), v.nonEmpty("a non-empty string"));
const httpUrl = v.pipe(v.string("an http(s) URL"), v.url("an http(s) URL"), v.regex(/^https?:\/\//i, "an http(s) URL"));
const logLevel = v.picklist(LOG_LEVELS, `one of ${LOG_LEVELS.join(", ")}`);
const logFormat = v.picklist(LOG_FORMATS, `one of ${LOG_FORMATS.join(", ")}`);
const keyText = v.pipe(v.string("a key of at least 8 characters"), v.minLength(8, "a key of at least 8 characters"));
const positiveInt = (what: string) => v.pipe(v.number(what), v.integer(what), v.minValue(1, what));
/** A proxy API key with a name (for logs and metrics: never the key itself) and optional limits. */
const keyObject = v.strictObject(
  {
    key: keyText,
    name: v.optional(v.pipe(v.string("a name"), v.trim(), v.regex(/^[\w.@-]{1,64}$/, "a name of letters, digits, . _ @ or -"))),
    requests_per_minute: v.optional(positiveInt("a whole number of requests per minute, at least 1")),
    max_concurrent: v.optional(positiveInt("a whole number of requests in flight at once, at least 1")),
  },
  "an object with key and optionally name, requests_per_minute, max_concurrent",
);
export type ProxyKey = v.InferOutput<typeof keyObject> & { name: string };
type KeyEntry = string | v.InferOutput<typeof keyObject>;
/** Keys as written (a plain key or an object), each given a name: its own, else key-1, key-2, … by position. */
const nameKeys = (keys: KeyEntry[]): ProxyKey[] =>
  keys.map((entry, i) =>
    typeof entry === "string" ? { key: entry, name: `key-${i + 1}` } : { ...entry, name: entry.name ?? `key-${i + 1}` },
  );
const duplicateName = (keys: ProxyKey[]) => keys.find((key, i) => keys.findIndex((other) => other.name === key.name) !== i)?.name;
const keyList = v.pipe(
  v.array(v.union([keyText, keyObject], "a key (a string of at least 8 characters) or an object with key, name and limits"), "a list"),
  v.transform(nameKeys),
  // Names are not secrets: the message says which one (a plain key in position N is named key-N).
  v.rawCheck(({ dataset, addIssue }) => {
    const name = dataset.typed ? duplicateName(dataset.value) : undefined;
    if (name !== undefined)
      addIssue({ message: `keys with different names (two are named "${name}"; a plain key in position N is named key-N)` });
  }),
);
const flag = v.boolean("true or false");
/** An account's name: it is also its file's name in storage.accounts_dir. */
export const ACCOUNT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const ACCOUNT_NAME_RULE = "a name of 1–32 lower-case letters, digits, _ or -, starting with a letter or digit";
const accountName = v.pipe(v.string(ACCOUNT_NAME_RULE), v.regex(ACCOUNT_NAME, ACCOUNT_NAME_RULE));
const effort = v.picklist(
  ["low", "medium", "high", "xhigh", "max", "highest", "default"],
  "one of low, medium, high, xhigh, max, highest, default",
);
/** A nickname is an exact model ID, or a line and/or an effort (see src/models/nicknames.ts). */
const nickname = v.union(
  [
    nonEmpty,
    v.strictObject(
      { model: v.optional(nonEmpty), line: v.optional(nonEmpty), effort: v.optional(effort) },
      "a model ID or an object with model, line and/or effort",
    ),
  ],
  "a model ID or an object with model, line and/or effort",
);
const betaList = v.array(v.pipe(v.string("a list of beta names"), v.trim(), v.nonEmpty("non-empty beta names")), "a list of beta names");

/**
 * The configuration: the schema is the type (`Config` in load.ts) and holds every default. Strict at every level.
 * Values that drift upstream (URLs, scopes, betas) come from defaults.ts, which says where each came from. An absent
 * section means all its defaults.
 */
export const ConfigSchema = v.strictObject(
  {
    server: v.optional(
      v.strictObject(
        {
          port: v.optional(portNumber, 8081),
          bind_address: v.optional(nonEmpty, "127.0.0.1"),
          log_level: v.optional(logLevel, "info"),
          log_format: v.optional(logFormat, "text"),
          api_keys: v.optional(keyList, () => []),
          allow_open: v.optional(flag, false),
        },
        "an object",
      ),
      {},
    ),
    /** No default here: it depends on the home directory (load.ts resolves it). */
    storage: v.optional(v.strictObject({ token_file: v.optional(nonEmpty), accounts_dir: v.optional(nonEmpty) }, "an object"), {}),
    /** Several Claude accounts (src/accounts/): which one a new conversation goes to, and whether extra usage may be spent. */
    accounts: v.optional(
      v.strictObject(
        {
          /** Accounts named here are preferred in this order; the others follow by headroom, API keys last. */
          order: v.optional(v.array(accountName, "a list of account names"), () => []),
          /** Treat an account that would draw on extra usage (paid beyond the plan) as cooling down. */
          avoid_extra_usage: v.optional(flag, false),
        },
        "an object",
      ),
      {},
    ),
    api: v.optional(
      v.strictObject(
        {
          base_url: v.optional(httpUrl, "https://api.anthropic.com"),
          request_timeout: v.optional(seconds, 600),
          stream_idle_timeout: v.optional(seconds, 300),
          anthropic_api_key: v.optional(nonEmpty),
          /** Sent as user-agent upstream, except when the client is Claude Code itself (its own is passed on). */
          user_agent: v.optional(nonEmpty),
          /** The betas a subscription request carries (merged with the client's). */
          oauth_betas: v.optional(betaList, () => [...DEFAULT_OAUTH_BETAS]),
        },
        "an object",
      ),
      {},
    ),
    oauth: v.optional(
      v.strictObject(
        {
          authorize_url: v.optional(httpUrl, DEFAULT_OAUTH.authorize_url),
          token_url: v.optional(httpUrl, DEFAULT_OAUTH.token_url),
          redirect_uri: v.optional(httpUrl, DEFAULT_OAUTH.redirect_uri),
          client_id: v.optional(nonEmpty, DEFAULT_OAUTH.client_id),
          scopes: v.optional(nonEmpty, DEFAULT_OAUTH.scopes),
        },
        "an object",
      ),
      {},
    ),
    models: v.optional(
      v.strictObject(
        {
          /** From config only; the built-in sizes are merged in by src/models/nicknames.ts. */
          nicknames: v.optional(v.record(nonEmpty, nickname, "an object mapping nickname to model id"), () => ({})),
          default: v.optional(nonEmpty, "l"),
          refresh_interval: v.optional(seconds, 3600),
        },
        "an object",
      ),
      {},
    ),
    /** Off by default: serve makes no network call the user did not ask for (issue 16). */
    update: v.optional(v.strictObject({ check: v.optional(flag, false) }, "an object"), {}),
  },
  "a JSON object",
);
/** One entry of models.nicknames: an exact model ID, or a line and/or an effort. */
export type NicknameConfig = v.InferOutput<typeof nickname>;

/** Converters for values that arrive as strings (environment variables and command-line flags). */
const fromString = {
  port: v.pipe(v.string(), v.regex(/^\d+$/, "an integer from 1 to 65535"), v.toNumber(), portNumber),
  seconds: v.pipe(v.string(), v.regex(/^\d+(\.\d+)?$/, "a number of seconds above 0"), v.toNumber(), seconds),
  text: nonEmpty,
  url: httpUrl,
  logLevel: v.pipe(v.string(), v.toLowerCase(), logLevel),
  logFormat: v.pipe(v.string(), v.toLowerCase(), logFormat),
  keys: v.pipe(
    v.string(),
    v.transform((text) =>
      text
        .split(",")
        .map((k) => k.trim())
        .filter(Boolean),
    ),
    v.array(keyText),
    v.transform((keys: string[]) => nameKeys(keys)),
  ),
  flag: v.pipe(
    v.string(),
    v.toLowerCase(),
    v.picklist(["1", "0", "true", "false", "yes", "no"], "1, 0, true or false"),
    v.transform((s) => ["1", "true", "yes"].includes(s)),
  ),
};

/** A command-line flag for a setting: its name, and for `--help` a placeholder (none: a boolean flag) and a line. */
type Flag = { name: string; placeholder?: string; help: string };

type StringSetting = { key: string; env: readonly string[]; flag?: Flag; parse: v.GenericSchema<string, unknown> };

/**
 * Every setting that can come from the environment or a flag, with the config-file key it overrides.
 * Only MAXIMIZE_ names: the ported tool's un-prefixed PORT, LOG_LEVEL, … are read by everything else in a shell
 * too (a dev server's PORT=3000 silently moved the proxy), so they are no longer read.
 */
export const STRING_SETTINGS: readonly StringSetting[] = [
  {
    key: "server.port",
    env: ["MAXIMIZE_PORT"],
    flag: { name: "port", placeholder: "N", help: "listen port (default 8081)" },
    parse: fromString.port,
  },
  {
    key: "server.bind_address",
    env: ["MAXIMIZE_BIND_ADDRESS"],
    flag: { name: "bind", placeholder: "ADDRESS", help: "listen address (default 127.0.0.1)" },
    parse: fromString.text,
  },
  {
    key: "server.log_level",
    env: ["MAXIMIZE_LOG_LEVEL"],
    flag: { name: "log-level", placeholder: "L", help: "debug, info, warn or error" },
    parse: fromString.logLevel,
  },
  {
    key: "server.log_format",
    env: ["MAXIMIZE_LOG_FORMAT"],
    flag: { name: "log-format", placeholder: "F", help: "text (default) or json: one JSON object per line" },
    parse: fromString.logFormat,
  },
  { key: "server.api_keys", env: ["MAXIMIZE_API_KEYS", "MAXIMIZE_API_KEY"], parse: fromString.keys },
  {
    key: "server.allow_open",
    env: ["MAXIMIZE_ALLOW_OPEN"],
    flag: { name: "allow-open", help: "allow a non-loopback bind without proxy API keys" },
    parse: fromString.flag,
  },
  {
    key: "storage.token_file",
    env: ["MAXIMIZE_TOKEN_FILE"],
    flag: { name: "token-file", placeholder: "P", help: "token file (default ~/.maximize/tokens.json)" },
    parse: fromString.text,
  },
  { key: "storage.accounts_dir", env: ["MAXIMIZE_ACCOUNTS_DIR"], parse: fromString.text },
  { key: "accounts.avoid_extra_usage", env: ["MAXIMIZE_AVOID_EXTRA_USAGE"], parse: fromString.flag },
  { key: "api.base_url", env: ["MAXIMIZE_UPSTREAM_URL"], parse: fromString.url },
  { key: "api.request_timeout", env: ["MAXIMIZE_REQUEST_TIMEOUT"], parse: fromString.seconds },
  { key: "api.stream_idle_timeout", env: ["MAXIMIZE_STREAM_IDLE_TIMEOUT"], parse: fromString.seconds },
  { key: "api.anthropic_api_key", env: ["MAXIMIZE_ANTHROPIC_API_KEY"], parse: fromString.text },
  { key: "api.user_agent", env: ["MAXIMIZE_USER_AGENT"], parse: fromString.text },
  { key: "oauth.authorize_url", env: ["MAXIMIZE_OAUTH_AUTHORIZE_URL"], parse: fromString.url },
  { key: "oauth.token_url", env: ["MAXIMIZE_OAUTH_TOKEN_URL"], parse: fromString.url },
  { key: "oauth.redirect_uri", env: ["MAXIMIZE_OAUTH_REDIRECT_URI"], parse: fromString.url },
  { key: "oauth.client_id", env: ["MAXIMIZE_OAUTH_CLIENT_ID"], parse: fromString.text },
  { key: "oauth.scopes", env: ["MAXIMIZE_OAUTH_SCOPES"], parse: fromString.text },
  {
    key: "models.default",
    env: ["MAXIMIZE_DEFAULT_MODEL"],
    flag: { name: "default-model", placeholder: "M", help: "model (or nickname) for requests that name none (default l)" },
    parse: fromString.text,
  },
  { key: "models.refresh_interval", env: ["MAXIMIZE_MODELS_REFRESH_INTERVAL"], parse: fromString.seconds },
  { key: "update.check", env: ["MAXIMIZE_UPDATE_CHECK"], parse: fromString.flag },
];
