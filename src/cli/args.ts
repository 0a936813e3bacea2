import { STRING_SETTINGS } from "../config/schema.ts";
import { UsageError } from "./ui.ts";

/** `--name` or `--name=…` for an option the command knows. */
const isKnownLongOption = (arg: string, options: OptionSpec) =>
  arg.startsWith("--") && options[arg.slice(2).split("=")[0] as string] !== undefined;

/**
 * A command's options: a string option takes a value (the next argument, even one starting with "-"), a boolean none.
 * `optionalValue`: a string option that may stand alone (at the end, or before another option); its value is then `true`.
 */
export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; optionalValue?: boolean }>;

/** The settings that have a flag (config/schema.ts is the one table of them). */
const SETTING_FLAGS = STRING_SETTINGS.flatMap((setting) => (setting.flag ? [setting.flag] : []));

/** Flags every command understands besides the settings' own. */
const OTHER_FLAGS = [
  { name: "config", placeholder: "PATH", help: "config file (default $MAXIMIZE_CONFIG, else ~/.maximize/config.json)" },
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

/** `maximize login` or `maximize`, and where its help is: the start and end of every usage error. */
const usageError = (command: string | undefined, what: string) => {
  const prefix = command ? `maximize ${command}` : "maximize";
  return new UsageError(`${prefix}: ${what}. See ${prefix} --help.`);
};

interface Scan {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/**
 * Our own reading of argv (node:util's parseArgs refuses option values that start with "-", and its messages name
 * neither the command nor its help): `--name value`, `--name=value`, `-x`, `-xy` for boolean shorts, `--` ends
 * the options. A string option always takes the next argument as its value, so a pasted `--code -abc…` works.
 * `strict: false` skips what it does not know instead of refusing it (for finding the command first).
 */
function scan(argv: readonly string[], options: OptionSpec, command: string | undefined, strict: boolean): Scan {
  const positionals: string[] = [];
  const values: Record<string, string | boolean | undefined> = {};
  const byShort = new Map(Object.entries(options).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      const spec = options[name];
      if (!spec) {
        if (strict) throw usageError(command, `unknown option --${name}`);
        continue;
      }
      if (spec.type === "boolean") {
        if (eq !== -1 && strict) throw usageError(command, `--${name} takes no value (got "${arg}")`);
        values[name] = true;
      } else if (eq !== -1) {
        values[name] = arg.slice(eq + 1);
      } else if (i + 1 < argv.length && !isKnownLongOption(argv[i + 1] as string, options)) {
        // A value may start with "-" (a pasted code can); only another known --option means the value is missing.
        values[name] = argv[++i];
      } else if (spec.optionalValue) {
        values[name] = true;
      } else if (strict) {
        throw usageError(command, `--${name} needs a value`);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (const letter of arg.slice(1)) {
        const name = byShort.get(letter);
        const spec = name === undefined ? undefined : options[name];
        if (name === undefined || spec?.type !== "boolean") {
          if (strict) throw usageError(command, `unknown option ${arg.length === 2 ? arg : `-${letter} (in ${arg})`}`);
          continue;
        }
        values[name] = true;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { positionals, values };
}

/**
 * Parses argv (without the runtime and script): `[command] [options]`, options anywhere. `commandName` is the
 * command the options belong to (found by peekCommand), for the messages; none for `maximize` alone or an unknown one.
 */
export function parseCommandLine(argv: string[], commandOptions: OptionSpec = {}, commandName?: string): ParsedArgs {
  const { positionals: all, values } = scan(argv, { ...GLOBAL_OPTIONS, ...commandOptions }, commandName, true);
  const [command, ...positionals] = all;
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
  return scan(argv, { ...GLOBAL_OPTIONS, ...knownOptions }, undefined, false).positionals[0];
}
