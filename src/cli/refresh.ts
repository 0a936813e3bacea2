import { DEFAULT_ACCOUNT } from "../auth/accounts.ts";
import type { StoredTokens } from "../auth/store.ts";
import { createCredentials } from "../auth/credentials.ts";
import { ACCOUNT_OPTION, accountLabel, chosenAccount, requireAccount } from "./account-choice.ts";
import type { Command, CommandContext } from "./command.ts";
import { tokenExpiry } from "./format.ts";

const HELP = `Usage: maximize refresh [--account NAME]

Refreshes the Claude access token now (normally maximize does this by itself shortly
before it expires) and reports the new expiry. Safe while the proxy runs: both share
the token file and never spend the refresh token twice.

Options:
  --account NAME    the account to refresh (default: \`default\`, the token file);
                    an API-key account has nothing to refresh
`;

/** Forces a refresh; an AuthError (a UserError) says why it could not happen and what to do. */
export function forceRefresh(ctx: Pick<CommandContext, "config" | "fetch">, account = DEFAULT_ACCOUNT): Promise<StoredTokens> {
  return createCredentials(ctx.config, ctx.fetch, undefined, account).refresh();
}

async function run(ctx: CommandContext): Promise<number> {
  const account = chosenAccount(ctx, "refresh");
  requireAccount(ctx.config, account);
  const named = account.name === DEFAULT_ACCOUNT ? "" : ` ${accountLabel(account.name)}`;
  // An API-key account refuses with "… is an Anthropic API key: there is no login token to refresh" (exit 1, like a
  // long-lived token, which has nothing to refresh either).
  const tokens = await forceRefresh(ctx, account.name);
  ctx.out.write(
    `${ctx.out.colors.green("✓")} refreshed${named} — the new token ${tokenExpiry(tokens.expires_at, ctx.now(), Boolean(tokens.refresh_token))}\n`,
  );
  return 0;
}

export const refreshCommand: Command = {
  name: "refresh",
  summary: "refresh the login token now (--account NAME: that account's)",
  help: HELP,
  options: ACCOUNT_OPTION,
  run,
};
