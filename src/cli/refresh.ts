import type { StoredTokens } from "../auth/store.ts";
import { createCredentials } from "../auth/credentials.ts";
import type { Command, CommandContext } from "./command.ts";
import { tokenExpiry } from "./format.ts";

const HELP = `Usage: maximize refresh

Refreshes the Claude access token now (normally maximize does this by itself shortly
before it expires) and reports the new expiry. Safe while the proxy runs: both share
the token file and never spend the refresh token twice.
`;

/** Forces a refresh; an AuthError (a UserError) says why it could not happen and what to do. */
export function forceRefresh(ctx: Pick<CommandContext, "config" | "fetch">): Promise<StoredTokens> {
  return createCredentials(ctx.config, ctx.fetch).refresh();
}

async function run(ctx: CommandContext): Promise<number> {
  const tokens = await forceRefresh(ctx);
  ctx.out.write(
    `${ctx.out.colors.green("✓")} refreshed — the new token ${tokenExpiry(tokens.expires_at, ctx.now(), Boolean(tokens.refresh_token))}\n`,
  );
  return 0;
}

export const refreshCommand: Command = { name: "refresh", summary: "refresh the login token now", help: HELP, options: {}, run };
