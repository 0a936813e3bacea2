import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { DEFAULT_ACCOUNT } from "../auth/accounts.ts";
import { pendingLoginPath, removePendingLogin } from "../auth/login.ts";
import { withFileLock } from "../auth/lock.ts";
import { createTokenStore } from "../auth/store.ts";
import { isDirectory } from "../shared/files.ts";
import { ACCOUNT_OPTION, accountLabel, chosenAccount, requireAccount } from "./account-choice.ts";
import { flagOption, type Command, type CommandContext } from "./command.ts";

const HELP = `Usage: maximize logout [--account NAME] [--yes]

Deletes the stored login (the token file and any half-finished headless login).
On a terminal it asks first; --yes skips the question. A running proxy answers 401
from then on, until you log in again.

With --account NAME: deletes that account instead (its file NAME.json in the accounts
folder, a Claude login or an API key); the proxy goes on with the other accounts.

Options:
  --account NAME    the account to remove (default: \`default\`, the token file);
                    \`maximize accounts\` lists them
  -y, --yes         do not ask for confirmation
`;

/** Removes an account's file (the token file by default) under its lock; false when there was nothing to remove. */
export async function removeLogin(tokenFile: string, account = DEFAULT_ACCOUNT): Promise<boolean> {
  removePendingLogin(pendingLoginPath(tokenFile, account));
  if (!isDirectory(dirname(tokenFile))) return false; // a path through a file, or no directory: nothing stored
  return withFileLock(tokenFile, async () => createTokenStore(tokenFile).remove());
}

async function run(ctx: CommandContext): Promise<number> {
  const account = chosenAccount(ctx, "logout");
  const tokenFile = account.path;
  const named = account.name === DEFAULT_ACCOUNT ? "" : ` of ${accountLabel(account.name)}`;
  if (!existsSync(tokenFile) && account.name !== DEFAULT_ACCOUNT) {
    await removeLogin(tokenFile, account.name); // a half-finished headless login, if any
    requireAccount(ctx.config, account); // says there is no such account, and which there are
  }
  // Nothing to delete: nothing to ask about either.
  if (ctx.interactive && !flagOption(ctx.args, "yes") && existsSync(tokenFile)) {
    const p = await import("@clack/prompts");
    const sure = await p.confirm({ message: `Log out${named} and delete ${tokenFile}?`, initialValue: false });
    if (p.isCancel(sure) || !sure) {
      p.cancel("Still logged in — nothing was deleted.");
      return 1;
    }
  }
  const removed = await removeLogin(tokenFile, account.name);
  ctx.out.write(
    removed ? `${ctx.out.colors.green("✓")} logged out${named} — deleted ${tokenFile}\n` : `not logged in — there was no ${tokenFile}\n`,
  );
  return 0;
}

export const logoutCommand: Command = {
  name: "logout",
  summary: "delete the stored login (--account NAME: remove that account)",
  help: HELP,
  options: { yes: { type: "boolean", short: "y" }, ...ACCOUNT_OPTION },
  run,
};
