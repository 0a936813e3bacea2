import { existsSync } from "node:fs";
import { importClaudeCode, claudeCodeCredentialsPath } from "../auth/claude-code.ts";
import {
  checkLongLivedToken,
  completeLogin,
  LoginError,
  loadPendingLogin,
  pendingLoginPath,
  removePendingLogin,
  savePendingLogin,
  storeTokens,
} from "../auth/login.ts";
import { accountFile, type AccountRef, writeApiKeyAccount } from "../auth/accounts.ts";
import { authorizeUrl, createPkce } from "../auth/pkce.ts";
import { createTokenStore, type StoredTokens } from "../auth/store.ts";
import { givenTokenCredentials } from "../auth/tokens.ts";
import { homeDir } from "../config/paths.ts";
import { ACCOUNT_OPTION, accountLabel, chosenAccount } from "./account-choice.ts";
import { checkCredential } from "./check-credential.ts";
import { flagOption, stringOption, type Command, type CommandContext } from "./command.ts";
import { describeAccount, tokenExpiry } from "./format.ts";
import { CommandError, UsageError } from "./ui.ts";

const HELP = `Usage: maximize login [--account NAME] [options]

Log in with your Claude Pro/Max subscription (the same login Claude Code uses).

Without options (on a terminal): a guided login — opens your browser, you approve
access, then paste the code the page shows.

Several accounts: the login goes to the account \`default\` (the token file) unless
--account names another; each other account is a file NAME.json in the accounts
folder (storage.accounts_dir, default: \`accounts\` beside the token file).
See \`maximize accounts\`.

Options:
  --account NAME             log in to this account (1–32 lower-case letters, digits, _ or -;
                             default: \`default\`). Goes with every form below; give the same
                             --account to --print-url and to --code
  --no-browser               do not try to open a browser; just print the URL
  --print-url                headless step 1: print the authorization URL and keep the
                             pending login (15 minutes) next to the token file
  --code CODE#STATE          headless step 2: finish the login with the code the page shows
                             (a bare code or the whole callback URL also work)
  --token TOKEN              store a long-lived token from \`claude setup-token\`
                             (sk-ant-oat01-…; use --token - to read it from stdin). It is
                             checked against the API first: a token the API refuses is
                             not stored
  --no-check                 with --token: store the token without asking the API
  --import-claude-code       copy Claude Code's login (~/.claude/.credentials.json,
                             or $CLAUDE_CONFIG_DIR/.credentials.json)
  --from PATH                with --import-claude-code: read this file instead
  --api-key [KEY]            store an Anthropic API key (sk-ant-api03-…) as an account:
                             from KEY, or from stdin with \`--api-key -\` or no value
                             (on a terminal it asks, without echoing). Without --account
                             the account is named \`api-key\`, so the Claude login in
                             \`default\` stays. Stored 0600; never printed

Examples:
  maximize login
  maximize login --print-url            # on a server without a browser…
  maximize login --code='abc123#xyz'    # …then paste the code from any browser
  claude setup-token && maximize login --token sk-ant-oat01-…
  maximize login --import-claude-code
  maximize login --account work --print-url
  maximize login --account work --code='abc123#xyz'
  printenv ANTHROPIC_API_KEY | maximize login --api-key      # account "api-key"
`;

const OPTIONS = {
  "no-browser": { type: "boolean" },
  "print-url": { type: "boolean" },
  code: { type: "string" },
  token: { type: "string" },
  "no-check": { type: "boolean" },
  "import-claude-code": { type: "boolean" },
  from: { type: "string" },
  "api-key": { type: "string", optionalValue: true },
  ...ACCOUNT_OPTION,
} as const;

/** The success lines every login path prints: where the login went and how long it lasts. */
function loggedIn(ctx: CommandContext, account: AccountRef, tokens: StoredTokens, how: string): void {
  const who = describeAccount(tokens);
  const c = ctx.out.colors;
  ctx.out.write(`${c.green("✓")} ${how}${who ? ` as ${c.bold(who)}` : ""}\n`);
  ctx.out.write(
    `  token ${tokenExpiry(tokens.expires_at, ctx.now(), Boolean(tokens.refresh_token))}${tokens.refresh_token ? " (refreshed automatically)" : ""}\n`,
  );
  ctx.out.write(`  ${accountLabel(account.name)}, stored in ${account.path}\n`);
}

async function printUrl(ctx: CommandContext, account: AccountRef): Promise<number> {
  const pkce = createPkce();
  const pendingPath = pendingLoginPath(account.path, account.name);
  savePendingLogin(pendingPath, pkce, ctx.now());
  ctx.out.write(`${authorizeUrl(ctx.config.oauth, pkce)}\n`);
  const same = stringOption(ctx.args, "account") === undefined ? "" : ` --account ${account.name}`;
  ctx.err.write(
    `${ctx.err.colors.dim("Open this URL in any browser, approve access, then run (within 15 minutes):")}\n  maximize login${same} --code='CODE#STATE'\n`,
  );
  return 0;
}

async function finishWithCode(ctx: CommandContext, account: AccountRef, code: string): Promise<number> {
  const pendingPath = pendingLoginPath(account.path, account.name);
  const pkce = loadPendingLogin(pendingPath, ctx.now());
  const store = createTokenStore(account.path);
  const tokens = await completeLogin({ fetch: ctx.fetch, oauth: ctx.config.oauth, store }, pkce, code);
  removePendingLogin(pendingPath);
  loggedIn(ctx, account, tokens, "Logged in");
  return 0;
}

async function storeLongLived(ctx: CommandContext, account: AccountRef, given: string): Promise<number> {
  const token = given === "-" ? (await ctx.readStdin()).trim() : given;
  const tokens = checkLongLivedToken(token);
  const tokenFile = account.path;
  if (flagOption(ctx.args, "no-check")) {
    await storeTokens(createTokenStore(tokenFile), tokens);
    loggedIn(ctx, account, tokens, "Stored the long-lived token (not checked: --no-check)");
    return 0;
  }
  const check = await checkCredential({
    config: ctx.config,
    fetch: ctx.fetch,
    credentials: givenTokenCredentials(tokens.access_token, tokenFile),
  });
  if (check.outcome === "refused") {
    throw new LoginError(
      `the Anthropic API refused this token (${check.status}: ${check.message}), so it was not stored — it may be revoked, expired or mistyped: run \`claude setup-token\` for a new one and copy the whole line (or store it anyway with --no-check)`,
    );
  }
  await storeTokens(createTokenStore(tokenFile), tokens);
  if (check.outcome === "works") {
    loggedIn(ctx, account, tokens, "Logged in with the long-lived token, checked against the API");
    return 0;
  }
  loggedIn(ctx, account, tokens, "Stored the long-lived token");
  ctx.err.write(
    `${ctx.err.colors.yellow("!")} could not check it against the API (${check.reason}) — if requests later fail with 401, run \`maximize login --token\` again with a new token\n`,
  );
  return 0;
}

async function importFromClaudeCode(ctx: CommandContext, account: AccountRef): Promise<number> {
  const path = stringOption(ctx.args, "from") ?? claudeCodeCredentialsPath(ctx.env, homeDir(ctx.env));
  const store = createTokenStore(account.path);
  const { tokens, refreshed } = await importClaudeCode({ fetch: ctx.fetch, oauth: ctx.config.oauth, store, now: ctx.now }, path);
  const plan = typeof tokens.subscription_type === "string" ? ` (Claude ${tokens.subscription_type} plan)` : "";
  loggedIn(
    ctx,
    account,
    tokens,
    `Imported the Claude Code login${plan} from ${path}${refreshed ? " (refreshed it first: it was about to expire)" : ""}`,
  );
  if (refreshed) {
    ctx.err.write(
      ctx.err.colors.dim(
        "Note: that refresh replaced the refresh token Claude Code holds, so Claude Code will ask you to log in again\n(run `claude`). To avoid this, import while Claude Code's login has more than 5 minutes left, or give maximize\nits own login with `maximize login`.\n",
      ),
    );
  } else if (tokens.refresh_token) {
    ctx.err.write(
      ctx.err.colors.dim(
        "Note: maximize and Claude Code now share one refresh token, and each refresh replaces it. If one of them later\nsays the login expired, log in there again (or give maximize its own login with `maximize login`).\n",
      ),
    );
  }
  return 0;
}

/** The account an API key goes to without --account: never `default`, whose Claude login it would silently replace. */
export const API_KEY_ACCOUNT = "api-key";

/** The key: the flag's value, else stdin (`-`, or no value without a terminal), else a prompt that does not echo. */
async function readKey(ctx: CommandContext, given: string | boolean | undefined): Promise<string> {
  if (typeof given === "string" && given !== "-") return given.trim();
  if (given !== "-" && ctx.interactive) {
    const p = await import("@clack/prompts");
    const typed = await p.password({ message: "Paste the Anthropic API key (sk-ant-api03-…)", mask: "•" });
    if (p.isCancel(typed)) throw new CommandError("cancelled — no API key was stored");
    return typed.trim();
  }
  return (await ctx.readStdin()).trim();
}

async function storeApiKey(ctx: CommandContext, explicit: AccountRef | undefined): Promise<number> {
  const key = await readKey(ctx, ctx.args.values["api-key"]);
  if (key === "")
    throw new CommandError(
      "no API key given — pass it as `--api-key KEY`, or on stdin: `printenv ANTHROPIC_API_KEY | maximize login --api-key -`",
    );
  // The wrong kinds of secret, said in the words of this command (never repeating the value); nothing is stored.
  if (/^sk-ant-oat\d{2}-/.test(key))
    throw new CommandError(
      "that is a Claude login token (sk-ant-oat…), not an Anthropic API key — store it with `maximize login --token -` (add --account NAME for an account of its own); nothing was stored",
    );
  if (/^sk-ant-ort\d{2}-/.test(key))
    throw new CommandError(
      "that is a Claude refresh token (sk-ant-ort…), not an Anthropic API key — log in with `maximize login` instead; nothing was stored",
    );
  const account = explicit ?? { name: API_KEY_ACCOUNT, path: accountFile(ctx.config, API_KEY_ACCOUNT) };
  const replaced = existsSync(account.path);
  const note = writeApiKeyAccount(account.path, key);
  const c = ctx.out.colors;
  ctx.out.write(
    `${c.green("✓")} Stored the Anthropic API key as ${c.bold(accountLabel(account.name))}${replaced ? " (replacing what it held)" : ""}\n`,
  );
  if (!explicit)
    ctx.out.write(`  (no --account given: API keys go to the account "${API_KEY_ACCOUNT}", so the Claude login in "default" stays)\n`);
  ctx.out.write(`  ${accountLabel(account.name)}, stored in ${account.path}\n`);
  if (note) ctx.err.write(`${ctx.err.colors.yellow("note:")} ${note}\n`);
  return 0;
}

type Mode = "print-url" | "code" | "token" | "import" | "api-key";

/** Exactly one way of logging in per run; the rest is a usage error. */
function chooseMode(ctx: CommandContext): Mode | "wizard" {
  const chosen = [
    flagOption(ctx.args, "print-url") && "print-url",
    stringOption(ctx.args, "code") !== undefined && "code",
    stringOption(ctx.args, "token") !== undefined && "token",
    flagOption(ctx.args, "import-claude-code") && "import",
    ctx.args.values["api-key"] !== undefined && "api-key",
  ].filter((mode): mode is Mode => typeof mode === "string");
  if (chosen.length > 1)
    throw new UsageError(
      `maximize login: choose one of --print-url, --code, --token, --import-claude-code and --api-key (got ${chosen.map((m) => (m === "import" ? "--import-claude-code" : `--${m}`)).join(" and ")}). See maximize login --help.`,
    );
  if (stringOption(ctx.args, "from") !== undefined && chosen[0] !== "import")
    throw new UsageError("maximize login: --from only goes with --import-claude-code. See maximize login --help.");
  if (flagOption(ctx.args, "no-check") && chosen[0] !== "token")
    throw new UsageError("maximize login: --no-check only goes with --token. See maximize login --help.");
  return chosen[0] ?? "wizard";
}

async function run(ctx: CommandContext): Promise<number> {
  const mode = chooseMode(ctx);
  const account = chosenAccount(ctx, "login");
  if (mode === "api-key") return storeApiKey(ctx, stringOption(ctx.args, "account") === undefined ? undefined : account);
  if (mode === "print-url") return printUrl(ctx, account);
  if (mode === "code") return finishWithCode(ctx, account, stringOption(ctx.args, "code") ?? "");
  if (mode === "token") return storeLongLived(ctx, account, stringOption(ctx.args, "token") ?? "");
  if (mode === "import") return importFromClaudeCode(ctx, account);
  if (!ctx.interactive) {
    throw new UsageError(
      "maximize login: without options it needs a terminal. Headless: `maximize login --print-url`, open the URL anywhere, then `maximize login --code='CODE#STATE'` — or use --token / --import-claude-code. See maximize login --help.",
    );
  }
  const { loginWizard } = await import("./wizard.ts");
  return loginWizard(ctx, { browser: !flagOption(ctx.args, "no-browser"), account });
}

export const loginCommand: Command = {
  name: "login",
  summary: "log in with your Claude subscription, or store an API key (--account NAME: another account)",
  help: HELP,
  options: OPTIONS,
  run,
};
