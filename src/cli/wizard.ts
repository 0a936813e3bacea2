import * as p from "@clack/prompts";
import pc from "picocolors";
import { type AccountRef, DEFAULT_ACCOUNT } from "../auth/accounts.ts";
import { completeLogin, LoginError } from "../auth/login.ts";
import { authorizeUrl, createPkce, parsePastedCode } from "../auth/pkce.ts";
import { createTokenStore, TokenFileError } from "../auth/store.ts";
import { FileError } from "../shared/files.ts";
import { browserCommands, openBrowser } from "./browser.ts";
import type { CommandContext } from "./command.ts";
import { describeAccount, tokenExpiry, wrapWords } from "./format.ts";

export const DISCLAIMER =
  "maximize is not affiliated with Anthropic. Using a subscription outside Claude Code may stop working at any time, " +
  "may break Anthropic's terms, and may be billed as extra usage. Your account, your responsibility.";

/** The note's frame takes 6 columns ("│  " … " │"); past 80 columns, lines this long still read well. */
const noteWidth = (columns: number | undefined) => Math.min(columns || 80, 80) - 6;

/** Who is logged in now, for the "this replaces…" line; nothing when there is no usable token file. */
function currentLogin(path: string): string | undefined {
  try {
    const tokens = createTokenStore(path).read();
    return tokens ? (describeAccount(tokens) ?? "an existing login") : undefined;
  } catch (error) {
    if (error instanceof TokenFileError || error instanceof FileError) return undefined;
    throw error;
  }
}

/**
 * The interactive login: explain, open the browser, take the pasted code, exchange it.
 * `framed: false` when the menu already drew the intro. Cancel leaves the token file untouched.
 */
export async function loginWizard(
  ctx: CommandContext,
  options: { browser: boolean; framed?: boolean; account?: AccountRef },
): Promise<number> {
  const framed = options.framed ?? true;
  const account = options.account ?? { name: DEFAULT_ACCOUNT, path: ctx.config.storage.token_file };
  const tokenFile = account.path;
  const named = account.name === DEFAULT_ACCOUNT ? "" : ` (account "${account.name}")`;
  if (framed) p.intro(pc.inverse(` maximize login${named} `));
  const pkce = createPkce();
  const url = authorizeUrl(ctx.config.oauth, pkce);
  // Promise a browser only where one may open: not with --no-browser, nor where there is nothing to open it with.
  const tryBrowser = options.browser && browserCommands(url, process.platform, ctx.env).length > 0;
  p.note(
    [
      tryBrowser
        ? "1. A Claude page opens in your browser: log in and approve access."
        : "1. Open the URL shown below in a browser: log in and approve access.",
      "2. The page then shows a code. Copy it.",
      "3. Paste it here. maximize trades it for tokens and keeps them in",
      `   ${tokenFile} (readable only by you).`,
      "",
      ...wrapWords(DISCLAIMER, noteWidth(process.stdout.columns)).map((line) => pc.dim(line)),
    ].join("\n"),
    "What happens",
  );
  const existing = currentLogin(tokenFile);
  if (existing) p.log.info(`You are logged in${named} as ${existing}. A new login replaces it; cancel (Ctrl-C) to keep it.`);

  const opened = tryBrowser && (await openBrowser(url, { env: ctx.env }));
  p.log.step(opened ? "Opened your browser. If it did not show up, open this URL:" : "Open this URL in a browser:");
  // The URL goes out unframed, on its own line, so it can be copied (or clicked) in one piece.
  ctx.out.write(`\n${url}\n\n`);

  const pasted = await p.text({
    message: "Paste the code shown after you approve",
    placeholder: "CODE#STATE",
    validate: (value) => {
      const parsed = parsePastedCode(value ?? "", pkce.state);
      return parsed.ok ? undefined : parsed.reason;
    },
  });
  if (p.isCancel(pasted)) {
    const why = existing ? "Login cancelled — your existing login is unchanged." : "Login cancelled — nothing was stored.";
    // In the menu the frame stays open (the menu goes on inside it); alone, the wizard closes it.
    if (framed) p.cancel(why);
    else p.log.warn(why);
    return 1;
  }

  const spin = p.spinner();
  spin.start("Exchanging the code for tokens");
  try {
    const store = createTokenStore(tokenFile);
    const tokens = await completeLogin({ fetch: ctx.fetch, oauth: ctx.config.oauth, store }, pkce, pasted);
    spin.stop(`Logged in${named}`);
    const account = describeAccount(tokens);
    if (account) p.log.success(`Account: ${pc.bold(account)}`);
    p.log.info(
      `Token ${tokenExpiry(tokens.expires_at, ctx.now(), Boolean(tokens.refresh_token))}${tokens.refresh_token ? "; maximize refreshes it for you" : ""}.`,
    );
  } catch (error) {
    if (!(error instanceof LoginError)) {
      spin.error("Login failed");
      throw error;
    }
    spin.error(error.message);
    if (framed) p.outro(pc.red("Not logged in. Run `maximize login` to try again."));
    return 1;
  }
  if (framed) p.outro(`Done. Start the proxy with ${pc.bold("maximize serve")} (or ${pc.bold("maximize")} → Start proxy).`);
  return 0;
}
