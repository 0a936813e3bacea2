import { parseArgs } from "node:util";
import { UsageError } from "./ui.ts";

/** Flags every command understands: they override the environment and the config file. */
export const GLOBAL_OPTIONS = {
  config: { type: "string" },
  port: { type: "string" },
  bind: { type: "string" },
  "log-level": { type: "string" },
  "token-file": { type: "string" },
  "default-model": { type: "string" },
  "allow-open": { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

export interface ParsedArgs {
  command: string | undefined;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  /** Config overrides from flags, keyed as config/load.ts expects. */
  configFlags: Record<string, string | undefined>;
}

/** Parses argv (without the runtime and script): `[command] [options]`, options anywhere. */
export function parseCommandLine(argv: string[], commandOptions: OptionSpec = {}): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...commandOptions }, allowPositionals: true, strict: true });
  } catch (error) {
    const why = (error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, "");
    throw new UsageError(`${why} — see \`maximize COMMAND --help\` for the options`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const [command, ...positionals] = parsed.positionals;
  const str = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  return {
    command,
    positionals,
    values,
    configFlags: {
      config: str("config"),
      port: str("port"),
      bind: str("bind"),
      "log-level": values.debug ? "debug" : str("log-level"),
      "token-file": str("token-file"),
      "default-model": str("default-model"),
      "allow-open": values["allow-open"] ? "true" : undefined,
    },
  };
}

/**
 * The command named on the command line, found before the strict parse (which needs that command's options).
 * `knownOptions` are all options of all commands, so that option values are not mistaken for the command.
 */
export function peekCommand(argv: string[], knownOptions: OptionSpec): string | undefined {
  try {
    const { positionals } = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...knownOptions },
      allowPositionals: true,
      strict: false,
    });
    return positionals[0];
  } catch {
    return undefined;
  }
}
