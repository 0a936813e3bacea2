import pc from "picocolors";

/** Exit codes: 0 success, 1 failure, 2 usage error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export class UsageError extends Error {
  override name = "UsageError";
}

/** One-line error for the person at the terminal, on stderr. */
export function printError(message: string): void {
  process.stderr.write(`${pc.red("error")} ${message}\n`);
}

export function printHint(message: string): void {
  process.stderr.write(`${pc.dim(message)}\n`);
}
