import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { pendingLoginPath, removePendingLogin } from "../auth/login.ts";
import { withFileLock } from "../auth/lock.ts";
import { createTokenStore } from "../auth/store.ts";
import { isDirectory } from "../shared/files.ts";
import { flagOption, type Command, type CommandContext } from "./command.ts";

const HELP = `Usage: maximize logout [--yes]

Deletes the stored login (the token file and any half-finished headless login).
On a terminal it asks first; --yes skips the question. A running proxy answers 401
from then on, until you log in again.

Options:
  -y, --yes    do not ask for confirmation
`;

/** Removes the token file under its lock; false when there was nothing to remove. */
export async function removeLogin(tokenFile: string): Promise<boolean> {
  removePendingLogin(pendingLoginPath(tokenFile));
  if (!isDirectory(dirname(tokenFile))) return false; // a path through a file, or no directory: nothing stored
  return withFileLock(tokenFile, async () => createTokenStore(tokenFile).remove());
}

async function run(ctx: CommandContext): Promise<number> {
  const tokenFile = ctx.config.storage.token_file;
  // Nothing to delete: nothing to ask about either.
  if (ctx.interactive && !flagOption(ctx.args, "yes") && existsSync(tokenFile)) {
    const p = await import("@clack/prompts");
    const sure = await p.confirm({ message: `Log out and delete ${tokenFile}?`, initialValue: false });
    if (p.isCancel(sure) || !sure) {
      p.cancel("Still logged in — nothing was deleted.");
      return 1;
    }
  }
  const removed = await removeLogin(tokenFile);
  ctx.out.write(
    removed ? `${ctx.out.colors.green("✓")} logged out — deleted ${tokenFile}\n` : `not logged in — there was no ${tokenFile}\n`,
  );
  return 0;
}

export const logoutCommand: Command = {
  name: "logout",
  summary: "delete the stored login",
  help: HELP,
  options: { yes: { type: "boolean", short: "y" } },
  run,
};
