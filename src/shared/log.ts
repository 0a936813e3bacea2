import { isatty } from "node:tty";
import { createColors } from "picocolors";

/**
 * Whether to colour a stream: never with NO_COLOR (https://no-color.org: set and not empty), FORCE_COLOR=0/false
 * off and any other FORCE_COLOR on (Node's reading), else only for a terminal that is not "dumb".
 */
export function wantsColour(isTTY: boolean, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR?.trim().toLowerCase();
  if (force !== undefined) return force !== "0" && force !== "false";
  return isTTY && env.TERM !== "dumb";
}

/** Colours for text written to stderr (fd 2; asking process.stderr would create the stream). picocolors' own default looks at stdout, which says nothing about `maximize serve 2>file`. */
export const stderrColors = createColors(wantsColour(isatty(2), process.env));
/** Colours for text written to stdout (picocolors' default also turns them on for any CI variable, and for FORCE_COLOR=0). */
export const stdoutColors = createColors(wantsColour(isatty(1), process.env));
const pc = stderrColors;

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `text`: one readable line (the default); `json`: one JSON object per line, for log collectors. */
export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
/** Facts about a line that a JSON log carries as fields (the text format has them in its message already). */
export type LogFields = Record<string, string | number | boolean | null | undefined>;
/** Fields, or a function that builds them: called only by the JSON format (the text format never needs them). */
export type LogFieldsArg = LogFields | (() => LogFields);

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const LABEL: Record<LogLevel, (s: string) => string> = {
  debug: (s) => pc.dim(s),
  info: (s) => pc.cyan(s),
  warn: (s) => pc.yellow(s),
  error: (s) => pc.red(s),
};

/** Anthropic OAuth tokens and API keys, wherever they appear in a line. */
const TOKEN_PATTERN = /sk-ant-[a-z0-9]+-[A-Za-z0-9_-]{6,}/g;
const BEARER_PATTERN = /(bearer\s+)[^\s"',]+/gi;
const BEARER_WORD = /bearer/i;

/** Removes every token-looking string and every known secret from a line of text. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Most lines hold neither: two cheap looks instead of two regular-expression passes over every access line.
  if (out.includes("sk-ant-")) out = out.replace(TOKEN_PATTERN, (token) => `${token.slice(0, token.indexOf("-", 7) + 1)}[redacted]`);
  if (BEARER_WORD.test(out)) out = out.replace(BEARER_PATTERN, "$1[redacted]");
  for (const secret of secrets) {
    if (secret.length >= 8 && out.includes(secret)) out = out.replaceAll(secret, "[redacted]");
  }
  return out;
}

export interface Logger {
  /** Whether lines at `level` are written: check it before building an expensive line on a hot path. */
  enabled(level: LogLevel): boolean;
  debug(message: string, fields?: LogFieldsArg): void;
  info(message: string, fields?: LogFieldsArg): void;
  warn(message: string, fields?: LogFieldsArg): void;
  error(message: string, fields?: LogFieldsArg): void;
  /** A new level, format and secrets to redact from now on (a config reload). */
  configure?(options: { level: LogLevel; format: LogFormat; secrets?: readonly string[] }): void;
}

/**
 * A writer for stderr that sends the lines of one turn of the event loop in one write. Under load, one write(2) per
 * access-log line was about 8 % of the proxy's CPU (BENCHMARKS.md, "Where the time goes"). A line waits at most until
 * the loop's next check phase (setImmediate); what is pending is also written when the process exits.
 */
export function batchedStderr(): (line: string) => void {
  let pending = "";
  const flush = () => {
    if (pending === "") return;
    const out = pending;
    pending = "";
    process.stderr.write(out);
  };
  process.on("exit", flush);
  return (line) => {
    if (pending === "") setImmediate(flush);
    pending += line;
  };
}

export function createLogger(options: {
  level: LogLevel;
  format?: LogFormat;
  write?: (line: string) => void;
  secrets?: readonly string[];
}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  let min = ORDER[options.level];
  const enabled = (level: LogLevel) => ORDER[level] >= min;
  const text = (level: LogLevel, message: string) =>
    `${pc.dim(new Date().toISOString())} ${LABEL[level](level.toUpperCase().padEnd(5))} ${message}\n`;
  // Fields first, so `time`, `level` and `message` cannot be overwritten by one; undefined fields are left out.
  const json = (level: LogLevel, message: string, fields?: LogFieldsArg) =>
    `${JSON.stringify({ ...(typeof fields === "function" ? fields() : fields), time: new Date().toISOString(), level, message })}\n`;
  let line = options.format === "json" ? json : text;
  const emit = (level: LogLevel) => (message: string, fields?: LogFieldsArg) => {
    if (!enabled(level)) return;
    // Redacted as a whole: a secret in a field is caught as surely as one in the message.
    write(redact(line(level, message, fields), secrets));
  };
  let secrets = options.secrets;
  const configure = (next: { level: LogLevel; format: LogFormat; secrets?: readonly string[] }) => {
    min = ORDER[next.level];
    line = next.format === "json" ? json : text;
    // Added to, never replaced: a key removed by a reload must stay out of the log too.
    if (next.secrets) secrets = [...new Set([...(secrets ?? []), ...next.secrets])];
  };
  return { enabled, debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error"), configure };
}
