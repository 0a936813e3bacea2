import type { Colors } from "picocolors/types";
import * as v from "valibot";
import { type AccountView, bindingUtilization, localAccountViews } from "../accounts/view.ts";
import type { Config } from "../config/load.ts";
import type { Fetch } from "../shared/http.ts";
import { loginCommandFor } from "./account-choice.ts";
import { flagOption, type Command, type CommandContext } from "./command.ts";
import { askLocalProxy, isServing, localUrl } from "./health.ts";
import { gatherUsage } from "./usage.ts";

const HELP = `Usage: maximize accounts [--json]

The accounts maximize can use, one line each: name, kind (Claude login or API key),
state (ready; cooling down until a plan limit resets; dead: log in again; not logged
in; error), the Claude account's e-mail, how much of the plan is used (the window
nearest its limit) and the last error. Asks the running proxy when one is up (only it
knows cooldowns, plan use and errors), otherwise reads the account files. Never prints
a token or key. Exits 0 when at least one account can take requests, 1 when none can.

The account \`default\` is the token file (storage.token_file); every other account is a
file NAME.json in the accounts folder (storage.accounts_dir, default: \`accounts\` beside
the token file), holding a Claude login or an Anthropic API key.

  maximize login --account NAME     add (or renew) a Claude login
  maximize login --api-key          add an Anthropic API key (account "api-key")
  maximize logout --account NAME    remove an account

Options:
  --json    { "accounts": [ { name, kind, state, email, utilization, cooling_until,
            last_error, … } ], "from": "proxy" | "files" }
`;

export interface AccountsReport {
  accounts: AccountView[];
  /** The running proxy's GET /accounts, or the account files read here. */
  from: "proxy" | "files";
}

/** What GET /accounts must at least answer for its list to be used (the rest is AccountView as the proxy fills it). */
const ProxyAccounts = v.looseObject({
  accounts: v.array(v.looseObject({ name: v.string(), kind: v.string(), state: v.string(), file: v.string() })),
});

/**
 * The accounts: from the running proxy's GET /accounts (with the first proxy key, as `usage` does), else — no proxy,
 * or it does not answer that — from the files. `serving` when the caller already asked /healthz.
 */
export async function gatherAccounts(ctx: { config: Config; fetch: Fetch }, serving?: boolean): Promise<AccountsReport> {
  if (serving ?? (await isServing(ctx.config, 700))) {
    const response = await askLocalProxy(ctx, "/accounts", AbortSignal.timeout(5000));
    const body = response?.ok ? await response.json().catch(() => undefined) : undefined;
    const parsed = v.safeParse(ProxyAccounts, body);
    if (parsed.success) return { accounts: parsed.output.accounts as unknown as AccountView[], from: "proxy" };
  }
  return { accounts: localAccountViews(ctx.config, ctx.fetch), from: "files" };
}

export const KIND_LABELS: Record<string, string> = { oauth: "Claude login", api_key: "API key" };

/** "18:40", or "Tue 18:40" when not today (local time). */
function clock(iso: string, nowMs: number): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  return at.toDateString() === new Date(nowMs).toDateString() ? time : `${at.toLocaleDateString([], { weekday: "short" })} ${time}`;
}

/** The state in words, and the colour it is shown in. */
export function describeState(
  account: Pick<AccountView, "state" | "cooling_until">,
  nowMs: number,
  c: Colors,
): { text: string; colour: (s: string) => string } {
  switch (account.state) {
    case "ready":
      return { text: "ready", colour: c.green };
    case "cooling": {
      const until = account.cooling_until ? ` until ${clock(account.cooling_until, nowMs)}` : "";
      return { text: `cooling${until}`, colour: c.yellow };
    }
    case "dead":
      return { text: "dead", colour: c.red };
    case "not_logged_in":
      return { text: "not logged in", colour: c.dim };
    default:
      return { text: String(account.state), colour: c.red };
  }
}

const shorten = (text: string, max: number) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** The table: a header and one row per account, columns padded on the plain text, then coloured. */
export function accountsTable(accounts: AccountView[], nowMs: number, c: Colors): string {
  const rows = accounts.map((account) => {
    const state = describeState(account, nowMs, c);
    const problem = account.last_error?.message ?? (account.state === "cooling" ? (account.cooling_reason ?? "") : "");
    return [
      { text: account.name, colour: c.bold },
      { text: KIND_LABELS[account.kind] ?? account.kind, colour: (s: string) => s },
      state,
      { text: account.email ?? "—", colour: account.email ? (s: string) => s : c.dim },
      {
        text: account.utilization === null || account.utilization === undefined ? "—" : `${Math.round(account.utilization * 100)} %`,
        colour: (account.utilization ?? 0) >= 0.9 ? c.red : (account.utilization ?? 0) >= 0.75 ? c.yellow : (s: string) => s,
      },
      { text: shorten(problem, 72), colour: c.red },
    ];
  });
  const header = ["NAME", "KIND", "STATE", "E-MAIL", "PLAN", "LAST ERROR"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as { text: string }).text.length)));
  const line = (cells: string[], colour: (cell: string, i: number) => string) =>
    cells
      .map((cell, i) => colour(i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0), i))
      .join("  ")
      .trimEnd();
  return [
    line(header, (cell) => c.dim(cell)),
    ...rows.map((row) =>
      line(
        row.map((cell) => cell.text),
        (cell, i) => (row[i] as { colour: (s: string) => string }).colour(cell),
      ),
    ),
  ].join("\n");
}

/**
 * With no proxy running, each usable Claude login's plan is asked of the usage endpoint (no tokens spent), so the
 * table shows plan use either way.
 */
async function withPlans(ctx: CommandContext, report: AccountsReport): Promise<AccountsReport> {
  if (report.from === "proxy") return report;
  const logins = report.accounts.filter((account) => account.kind === "oauth" && account.state === "ready").map((a) => a.name);
  if (logins.length === 0) return report;
  const usage = await gatherUsage(ctx, 5000, logins);
  const plans = new Map(usage.accounts.map((state) => [state.account, state]));
  return {
    ...report,
    accounts: report.accounts.map((account) => {
      const plan = plans.get(account.name);
      return plan ? { ...account, plan, utilization: bindingUtilization(plan) } : account;
    }),
  };
}

async function run(ctx: CommandContext): Promise<number> {
  const report = await withPlans(ctx, await gatherAccounts(ctx));
  const usable = report.accounts.some((account) => account.state === "ready");
  if (flagOption(ctx.args, "json")) {
    ctx.out.write(`${JSON.stringify(report, null, 2)}\n`);
    return usable ? 0 : 1;
  }
  const c = ctx.out.colors;
  ctx.out.write(`${accountsTable(report.accounts, ctx.now(), c)}\n`);
  ctx.out.write(
    `${c.dim(
      report.from === "proxy"
        ? `(from the proxy running on ${localUrl(ctx.config)})`
        : "(from the account files and Anthropic's usage endpoint — no proxy is running: cooldowns show while one runs)",
    )}\n`,
  );
  // The login messages from the files say `maximize login`; for another account the command needs its name.
  for (const account of report.accounts.filter((a) => a.kind === "oauth" && (a.state === "dead" || a.state === "not_logged_in")))
    ctx.err.write(`${account.name}: log in with \`${loginCommandFor(account.name)}\`\n`);
  const back = report.accounts
    .map((account) => (account.state === "cooling" && account.cooling_until ? Date.parse(account.cooling_until) : Number.NaN))
    .filter((at) => Number.isFinite(at))
    .sort((a, b) => a - b)[0];
  if (!usable && back !== undefined)
    ctx.err.write(`no account can take requests now — the first is back at ${new Date(back).toISOString()}: wait, or add an account\n`);
  else if (!usable)
    ctx.err.write(
      "no account can take requests now — log in with `maximize login` (or `maximize login --account NAME`), or add an API key with `maximize login --api-key`\n",
    );
  return usable ? 0 : 1;
}

export const accountsCommand: Command = {
  name: "accounts",
  summary: "the accounts (Claude logins, API keys): state, plan use, last error",
  help: HELP,
  options: { json: { type: "boolean" } },
  run,
};
