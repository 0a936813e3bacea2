import * as v from "valibot";
import { LOG_LEVELS } from "../shared/log.ts";

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
const keyList = v.array(v.pipe(v.string("a list of strings"), v.minLength(8, "keys of at least 8 characters")), "a list of strings");
const flag = v.boolean("true or false");
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

export const FileSchema = v.strictObject(
  {
    server: v.optional(
      v.strictObject({
        port: v.optional(portNumber),
        bind_address: v.optional(nonEmpty),
        log_level: v.optional(logLevel),
        api_keys: v.optional(keyList),
        allow_open: v.optional(flag),
      }),
    ),
    storage: v.optional(v.strictObject({ token_file: v.optional(nonEmpty) })),
    api: v.optional(
      v.strictObject({
        base_url: v.optional(httpUrl),
        request_timeout: v.optional(seconds),
        stream_idle_timeout: v.optional(seconds),
        anthropic_api_key: v.optional(nonEmpty),
        user_agent: v.optional(nonEmpty),
        oauth_betas: v.optional(betaList),
      }),
    ),
    oauth: v.optional(
      v.strictObject({
        authorize_url: v.optional(httpUrl),
        token_url: v.optional(httpUrl),
        redirect_uri: v.optional(httpUrl),
        client_id: v.optional(nonEmpty),
        scopes: v.optional(nonEmpty),
      }),
    ),
    models: v.optional(
      v.strictObject({
        nicknames: v.optional(v.record(nonEmpty, nickname, "an object mapping nickname to model id")),
        default: v.optional(nonEmpty),
        refresh_interval: v.optional(seconds),
      }),
    ),
  },
  "a JSON object",
);
export type FileConfig = v.InferOutput<typeof FileSchema>;
/** One entry of models.nicknames: an exact model ID, or a line and/or an effort. */
export type NicknameConfig = v.InferOutput<typeof nickname>;

/** Converters for values that arrive as strings (environment variables and command-line flags). */
const fromString = {
  port: v.pipe(v.string(), v.regex(/^\d+$/, "an integer from 1 to 65535"), v.toNumber(), portNumber),
  seconds: v.pipe(v.string(), v.regex(/^\d+(\.\d+)?$/, "a number of seconds above 0"), v.toNumber(), seconds),
  text: nonEmpty,
  url: httpUrl,
  logLevel: v.pipe(v.string(), v.toLowerCase(), logLevel),
  keys: v.pipe(
    v.string(),
    v.transform((s) =>
      s
        .split(",")
        .map((k) => k.trim())
        .filter(Boolean),
    ),
    keyList,
  ),
  flag: v.pipe(
    v.string(),
    v.toLowerCase(),
    v.picklist(["1", "0", "true", "false", "yes", "no"], "1, 0, true or false"),
    v.transform((s) => ["1", "true", "yes"].includes(s)),
  ),
};

type StringSetting = { key: string; env: readonly string[]; flag?: string; parse: v.GenericSchema<string, unknown> };

/**
 * Every setting that can come from the environment or a flag, with the config-file key it overrides.
 * The un-prefixed env names are the ported tool's and keep working.
 */
export const STRING_SETTINGS: readonly StringSetting[] = [
  { key: "server.port", env: ["MAXIMIZE_PORT", "PORT"], flag: "port", parse: fromString.port },
  { key: "server.bind_address", env: ["MAXIMIZE_BIND_ADDRESS", "BIND_ADDRESS"], flag: "bind", parse: fromString.text },
  { key: "server.log_level", env: ["MAXIMIZE_LOG_LEVEL", "LOG_LEVEL"], flag: "log-level", parse: fromString.logLevel },
  { key: "server.api_keys", env: ["MAXIMIZE_API_KEYS", "MAXIMIZE_API_KEY"], parse: fromString.keys },
  { key: "server.allow_open", env: ["MAXIMIZE_ALLOW_OPEN"], flag: "allow-open", parse: fromString.flag },
  { key: "storage.token_file", env: ["MAXIMIZE_TOKEN_FILE", "TOKEN_FILE"], flag: "token-file", parse: fromString.text },
  { key: "api.base_url", env: ["MAXIMIZE_UPSTREAM_URL"], parse: fromString.url },
  { key: "api.request_timeout", env: ["MAXIMIZE_REQUEST_TIMEOUT", "REQUEST_TIMEOUT"], parse: fromString.seconds },
  { key: "api.stream_idle_timeout", env: ["MAXIMIZE_STREAM_IDLE_TIMEOUT"], parse: fromString.seconds },
  { key: "api.anthropic_api_key", env: ["MAXIMIZE_ANTHROPIC_API_KEY"], parse: fromString.text },
  { key: "api.user_agent", env: ["MAXIMIZE_USER_AGENT"], parse: fromString.text },
  { key: "oauth.authorize_url", env: ["MAXIMIZE_OAUTH_AUTHORIZE_URL"], parse: fromString.url },
  { key: "oauth.token_url", env: ["MAXIMIZE_OAUTH_TOKEN_URL"], parse: fromString.url },
  { key: "oauth.redirect_uri", env: ["MAXIMIZE_OAUTH_REDIRECT_URI"], parse: fromString.url },
  { key: "oauth.client_id", env: ["MAXIMIZE_OAUTH_CLIENT_ID"], parse: fromString.text },
  { key: "oauth.scopes", env: ["MAXIMIZE_OAUTH_SCOPES"], parse: fromString.text },
  { key: "models.default", env: ["MAXIMIZE_DEFAULT_MODEL"], flag: "default-model", parse: fromString.text },
  { key: "models.refresh_interval", env: ["MAXIMIZE_MODELS_REFRESH_INTERVAL"], parse: fromString.seconds },
];
