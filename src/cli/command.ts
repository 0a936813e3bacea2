import type { Fetch } from "../shared/http.ts";
import type { Colors } from "picocolors/types";
import type { Config } from "../config/load.ts";
import type { OptionSpec, ParsedArgs } from "./args.ts";

/** Where a command writes, with the colours that suit it (on only for a terminal, never with NO_COLOR). */
export interface Output {
  write(text: string): void;
  colors: Colors;
}

/** What every command gets: nothing global, so each can be driven by a test. */
export interface CommandContext {
  /** Results (stdout). */
  out: Output;
  /** Notes and errors for the person (stderr). */
  err: Output;
  /** All of stdin, for `--token -` and the like. */
  readStdin(): Promise<string>;
  config: Config;
  args: ParsedArgs;
  env: Record<string, string | undefined>;
  fetch: Fetch;
  now: () => number;
  /** stdin and stdout are a terminal: prompts are allowed. */
  interactive: boolean;
}

export interface Command {
  name: string;
  /** One line for `maximize --help`. */
  summary: string;
  /** The body of `maximize NAME --help`: usage line, options, examples. */
  help: string;
  options: OptionSpec;
  run(ctx: CommandContext): Promise<number>;
}

/** A string option's value, or undefined. */
export const stringOption = (args: ParsedArgs, name: string): string | undefined => {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
};

export const flagOption = (args: ParsedArgs, name: string): boolean => args.values[name] === true;
