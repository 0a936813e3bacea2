import pc from "picocolors";
import { createTokenStore, type StoredTokens } from "../auth/store.ts";
import { ApiError } from "../shared/errors.ts";
import { createCredentials } from "../auth/credentials.ts";
import type { Command, CommandContext } from "./command.ts";
import { describeExpiry } from "./format.ts";
import { CommandError } from "./ui.ts";

const HELP = `Usage: maximize refresh

Refreshes the Claude access token now (normally maximize does this by itself shortly
before it expires) and reports the new expiry. Safe while the proxy runs: both share
the token file and never spend the refresh token twice.
`;

/** Forces a refresh; CommandError says why it could not happen and what to do. */
export async function forceRefresh(ctx: Pick<CommandContext, "config" | "fetch">): Promise<StoredTokens> {
  if (ctx.config.api.anthropic_api_key) {
    throw new CommandError("maximize is using an Anthropic API key (MAXIMIZE_ANTHROPIC_API_KEY): there is no login token to refresh");
  }
  const current = createTokenStore(ctx.config.storage.token_file).read();
  if (!current) throw new CommandError("not logged in: run `maximize login` first");
  if (!current.refresh_token) {
    throw new CommandError("this login has no refresh token (a long-lived token from `claude setup-token`): nothing to refresh — run `claude setup-token` and `maximize login --token …` for a new one when it expires");
  }
  try {
    return await createCredentials(ctx.config, ctx.fetch).refresh();
  } catch (error) {
    if (error instanceof ApiError) throw new CommandError(error.message);
    throw error;
  }
}

async function run(ctx: CommandContext): Promise<number> {
  const tokens = await forceRefresh(ctx);
  process.stdout.write(`${pc.green("✓")} refreshed — the new token expires ${describeExpiry(tokens.expires_at, ctx.now())}\n`);
  return 0;
}

export const refreshCommand: Command = { name: "refresh", summary: "refresh the login token now", help: HELP, options: {}, run };
