import { parseArgs } from "node:util";
import { STRING_SETTINGS } from "../config/schema.ts";
import { UsageError } from "./ui.ts";

export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

/** The settings that have a flag (config/schema.ts is the one table of them). */
const SETTING_FLAGS = STRING_SETTINGS.flatMap((setting) => (setting.flag ? [setting.flag] : []));

/** Flags every command understands besides the settings' own. */
const OTHER_FLAGS = [
  { name: "config", placeholder: "PATH", help: "config file (default ./config.json, or $MAXIMIZE_CONFIG)" },
  { name: "debug", help: "same as --log-level debug" },
] as const;

/** Flags every command understands: they override the environment and the config file. */
export const GLOBAL_OPTIONS: OptionSpec = {
  ...Object.fromEntries(
    [...OTHER_FLAGS, ...SETTING_FLAGS].map((flag) => [
      flag.name,
      { type: "placeholder" in flag && flag.placeholder ? "string" : "boolean" },
    ]),
  ),
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
};

/** The "Options (every command)" block of `--help`, from the same table. */
export function globalOptionsHelp(): string {
  const rows: [string, string][] = [
    ...[OTHER_FLAGS[0], ...SETTING_FLAGS, OTHER_FLAGS[1]].map((flag): [string, string] => [
      `--${flag.name}${"placeholder" in flag && flag.placeholder ? ` ${flag.placeholder}` : ""}`,
      flag.help,
    ]),
    ["-v, --version", "print the version"],
    ["-h, --help", "print help (also: maximize COMMAND --help)"],
  ];
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return `Options (every command):\n${rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`).join("\n")}\n`;
}

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
      ...Object.fromEntries(
        SETTING_FLAGS.map((flag) => [flag.name, flag.placeholder ? str(flag.name) : values[flag.name] ? "true" : undefined]),
      ),
      ...(values.debug ? { "log-level": "debug" } : {}),
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
