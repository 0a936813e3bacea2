/** `--account NAME` for login, logout and refresh: which account's file a command works on (`default` without it). */
import { existsSync } from "node:fs";
import { accountFile, type AccountRef, checkAccountName, DEFAULT_ACCOUNT, listAccounts } from "../auth/accounts.ts";
import type { Config } from "../config/load.ts";
import { UserError } from "../shared/errors.ts";
import { stringOption, type CommandContext } from "./command.ts";
import { CommandError, UsageError } from "./ui.ts";

export const ACCOUNT_OPTION = { account: { type: "string" } } as const;

/** The account named by --account (checked: a bad name is a usage error naming the rule), else `default`. */
export function chosenAccount(ctx: Pick<CommandContext, "args" | "config">, command: string): AccountRef {
  const given = stringOption(ctx.args, "account");
  if (given === undefined) return { name: DEFAULT_ACCOUNT, path: ctx.config.storage.token_file };
  try {
    const name = checkAccountName(given, "--account");
    return { name, path: accountFile(ctx.config, name) };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UsageError(`maximize ${command}: ${error.message}. See maximize ${command} --help.`);
  }
}

/** The command that logs an account in: `maximize login`, or `maximize login --account work`. */
export const loginCommandFor = (name: string) => (name === DEFAULT_ACCOUNT ? "maximize login" : `maximize login --account ${name}`);

/** `account "work"` — how messages name an account. */
export const accountLabel = (name: string) => `account "${name}"`;

/**
 * An account other than `default` must have its file (the default account always exists: it may be "not logged in").
 * The error lists the accounts there are.
 */
export function requireAccount(config: Config, ref: AccountRef): void {
  if (ref.name === DEFAULT_ACCOUNT || existsSync(ref.path)) return;
  const names = listAccounts(config).map((account) => account.name);
  throw new CommandError(
    `there is no ${accountLabel(ref.name)} (no ${ref.path}) — the accounts are: ${names.join(", ")} (see \`maximize accounts\`)`,
  );
}
