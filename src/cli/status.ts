import type { Colors } from "picocolors/types";
import type { AccountState } from "../accounts/view.ts";
import { type AccountKind, DEFAULT_ACCOUNT, listAccounts } from "../auth/accounts.ts";
import { createTokenStore, type StoredTokens } from "../auth/store.ts";
import type { AuthStatus } from "../auth/tokens.ts";
import type { Config } from "../config/load.ts";
import { createCredentials } from "../auth/credentials.ts";
import { givenTokenCredentials } from "../auth/tokens.ts";
import { describeState, gatherAccounts, KIND_LABELS } from "./accounts.ts";
import { checkCredential } from "./check-credential.ts";
import { flagOption, type Command, type CommandContext } from "./command.ts";
import { accountOf, describeExpiry, humanDuration } from "./format.ts";
import { isServing, localUrl } from "./health.ts";
import { gatherUsage, usageSummary } from "./usage.ts";

const HELP = `Usage: maximize status [--json]

Shows whether you are logged in, the account, when the token expires, the token file and
the address the proxy listens on (and whether it is running). Never prints a token.
An expired login is refreshed first, as the proxy would. Exits 0 when requests can be
made, 1 when not (not logged in, login expired or revoked, token file unusable).

Options:
  --json    machine-readable output
`;

export interface StatusReport {
  logged_in: boolean;
  method: AuthStatus["method"];
  account: string | null;
  organization: string | null;
  expires_at: number | null;
  expires_in_seconds: number | null;
  refreshable: boolean;
  token_file: string;
  /** The config file in use, or null when only defaults, environment and flags apply. */
  config_file: string | null;
  listen: string;
  running: boolean;
  /** The plan's windows in one line ("5-hour 42 % (resets in 2h 13m), 7-day 10 %"), when they could be learnt. */
  plan: string | null;
  /** Every account in a word, when there is more than the default one (`maximize accounts` tells the rest). */
  accounts?: { name: string; kind: AccountKind; state: AccountState; cooling_until: string | null }[];
  error?: string;
}

function storedTokens(config: Config): StoredTokens | undefined {
  try {
    return createTokenStore(config.storage.token_file).read();
  } catch {
    return undefined; // the credentials status below reports why the file is unusable
  }
}

/** Everything `status` shows, gathered once. */
export async function gatherStatus(ctx: Pick<CommandContext, "config" | "fetch">): Promise<StatusReport> {
  const credentials = createCredentials(ctx.config, ctx.fetch);
  let auth = credentials.status();
  if (auth.logged_in && auth.refreshable && (auth.expires_in_seconds ?? 1) <= 0) {
    // Expired: do now what the proxy would do on the next request, so the answer is the truth, not a hope.
    const failure = await credentials.get().then(
      () => undefined,
      (error: unknown) => (error as Error).message,
    );
    auth = credentials.status();
    if (failure && !auth.error) auth = { ...auth, error: failure };
  }
  const tokens = auth.method === "oauth" ? storedTokens(ctx.config) : undefined;
  if (tokens && auth.logged_in && !auth.refreshable && !auth.error) {
    // A long-lived token cannot be refreshed, so only the API can say whether it still works: ask it once.
    const check = await checkCredential({
      config: ctx.config,
      fetch: ctx.fetch,
      credentials: givenTokenCredentials(tokens.access_token, auth.token_file),
    });
    if (check.outcome === "refused") {
      auth = {
        ...auth,
        logged_in: false,
        error: `login refused — the API answered ${check.status} (${check.message}) to this long-lived Claude token: make a new one with \`claude setup-token\` and \`maximize login --token …\`, or run \`maximize login\``,
      };
    }
  }
  const { email, organization } = tokens ? accountOf(tokens) : {};
  const running = await isServing(ctx.config, 700);
  // Only when there are several: a lone default account is what the lines above already describe.
  const several = listAccounts(ctx.config).some((ref) => ref.name !== DEFAULT_ACCOUNT);
  const accounts = several
    ? (await gatherAccounts(ctx, running)).accounts.map(({ name, kind, state, cooling_until }) => ({ name, kind, state, cooling_until }))
    : undefined;
  return {
    logged_in: auth.logged_in,
    method: auth.method,
    account: email ?? auth.account,
    organization: organization ?? null,
    expires_at: auth.expires_at,
    expires_in_seconds: auth.expires_in_seconds,
    refreshable: auth.refreshable,
    token_file: auth.token_file,
    config_file: ctx.config.file ?? null,
    listen: localUrl(ctx.config),
    running,
    // Not while the login has a problem: asking the usage endpoint would only try the same refresh again.
    plan:
      auth.logged_in && !auth.error && auth.method === "oauth"
        ? (usageSummary(await gatherUsage(ctx, 5000, [DEFAULT_ACCOUNT]), Date.now()) ?? null)
        : null,
    ...(accounts ? { accounts } : {}),
    ...(auth.error ? { error: auth.error } : {}),
  };
}

/** The login in one line (the menu's header), and whether the proxy could use it now, from the files alone (no network). */
export function loginSummary(auth: AuthStatus): { text: string; working: boolean } {
  if (auth.method === "api_key") return { text: "Using an Anthropic API key (MAXIMIZE_ANTHROPIC_API_KEY)", working: true };
  if (auth.method === "none") {
    if (auth.error) return { text: `Login unusable: ${auth.error}`, working: false };
    return { text: "Not logged in", working: false };
  }
  const who = auth.account ? ` as ${auth.account}` : "";
  const left = auth.expires_in_seconds;
  // A login known dead or refused says so before anything about expiry (the details are in Token status).
  if (!auth.logged_in) {
    if (left !== null && left <= 0 && !auth.refreshable) return { text: `Login expired ${humanDuration(-left)} ago`, working: false };
    if (auth.error?.startsWith("login refused")) return { text: "Login refused by the API (revoked?)", working: false };
    return { text: "Login expired or revoked", working: false };
  }
  if (left === null) return { text: `Logged in${who} (long-lived token)`, working: true };
  if (left > 0) return { text: `Logged in${who} (Claude subscription; token expires in ${humanDuration(left)})`, working: true };
  if (auth.refreshable) return { text: `Logged in${who} (token expired; renewed on the first request)`, working: true };
  return { text: `Login expired ${humanDuration(-left)} ago`, working: false };
}

/** Label/value pairs for people (the command prints them; the menu shows them in a note). */
export function statusLines(report: StatusReport, nowMs: number, pc: Colors): [string, string][] {
  const loggedIn = report.logged_in && !report.error;
  // An API key is not a login: say what is used instead of "logged in".
  const first: [string, string] =
    report.method === "api_key"
      ? ["credentials", "Anthropic API key (MAXIMIZE_ANTHROPIC_API_KEY)"]
      : report.method === "oauth"
        ? [
            "logged in",
            report.logged_in
              ? "yes — Claude login"
              : report.error?.startsWith("login refused")
                ? "no — login refused"
                : "no — login expired or revoked",
          ]
        : ["logged in", "no"];
  const colour = loggedIn ? pc.green : report.logged_in ? pc.yellow : pc.red;
  const lines: [string, string][] = [[first[0], colour(first[1])]];
  if (report.error) lines.push(["problem", pc.red(report.error)]);
  if (report.method === "oauth") {
    const account = [report.account, report.organization && `(${report.organization})`].filter(Boolean).join(" ");
    lines.push(["account", account || pc.dim("not recorded")]);
    const expiry = describeExpiry(report.expires_at, nowMs, report.refreshable);
    lines.push(["expires", `${expiry}${report.refreshable && loggedIn ? pc.dim(" — refreshed automatically") : ""}`]);
  }
  if (report.plan) lines.push(["plan", `${report.plan} ${pc.dim("— maximize usage")}`]);
  if (!report.logged_in && !report.error) lines.push(["next", "run `maximize login`"]);
  lines.push(["token file", report.token_file]);
  lines.push([
    "config",
    report.config_file ?? pc.dim("none — built-in defaults (maximize reads ~/.maximize/config.json, or --config FILE)"),
  ]);
  lines.push(["listen", `${report.listen} ${report.running ? pc.green("(running)") : pc.dim("(not running)")}`]);
  const accounts = report.accounts ?? [];
  const width = Math.max(0, ...accounts.map((account) => account.name.length));
  accounts.forEach((account, i) => {
    const state = describeState(account, nowMs, pc);
    const kind = (KIND_LABELS[account.kind] ?? account.kind).padEnd(12);
    const more = i === accounts.length - 1 ? pc.dim("  — maximize accounts") : "";
    lines.push([i === 0 ? "accounts" : "", `${account.name.padEnd(width)}  ${kind}  ${state.colour(state.text)}${more}`]);
  });
  return lines;
}

export const formatLines = (lines: [string, string][], pc: Colors) =>
  lines.map(([label, value]) => `${pc.dim(label.padEnd(11))} ${value}`).join("\n");

async function run(ctx: CommandContext): Promise<number> {
  const report = await gatherStatus(ctx);
  if (flagOption(ctx.args, "json")) ctx.out.write(`${JSON.stringify(report, null, 2)}\n`);
  else ctx.out.write(`${formatLines(statusLines(report, ctx.now(), ctx.out.colors), ctx.out.colors)}\n`);
  // With several accounts the proxy works while any of them can serve (the lines above say which cannot).
  // A cooling account is logged in: it is back when its plan resets.
  if (report.accounts) return report.accounts.some((account) => account.state === "ready" || account.state === "cooling") ? 0 : 1;
  return report.logged_in && !report.error ? 0 : 1;
}

export const statusCommand: Command = {
  name: "status",
  summary: "logged in? account, expiry, token file, listen address",
  help: HELP,
  options: { json: { type: "boolean" } },
  run,
};
