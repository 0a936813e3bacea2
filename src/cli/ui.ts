import { redact, stderrColors as pc, stdoutColors } from "../shared/log.ts";
import type { Output } from "./command.ts";
import { UserError } from "../shared/errors.ts";

/** Exit codes: 0 success, 1 failure, 2 usage error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export class UsageError extends UserError {
  override name = "UsageError";
}

/** A command failed for a reason the user can act on; the message says what to do next. Exit code 1. */
export class CommandError extends UserError {
  override name = "CommandError";
}

/** One-line error for the person at the terminal, on stderr; anything token-shaped is redacted. */
export function printError(message: string): void {
  process.stderr.write(`${pc.red("error:")} ${redact(message)}\n`);
}

/** One line the person should read though nothing failed, on stderr (stdout stays clean for --json). */
export function printNotice(message: string): void {
  process.stderr.write(`${pc.yellow("note:")} ${redact(message)}\n`);
}

/** The process's own stdout and stderr, each with the colours that suit it. */
export const stdoutOutput = (): Output => ({ write: (text) => void process.stdout.write(text), colors: stdoutColors });
export const stderrOutput = (): Output => ({ write: (text) => void process.stderr.write(text), colors: pc });

/** Both ends are a terminal: prompts are possible. */
export const isInteractive = (): boolean => Boolean(process.stdin.isTTY && process.stdout.isTTY);
