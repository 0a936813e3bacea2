import type { Colors } from "picocolors/types";
import { accountCredentials, DEFAULT_ACCOUNT, listAccounts } from "../auth/accounts.ts";
import type { Config } from "../config/load.ts";
import { type PlanState, WINDOW_LABELS } from "../plan/plan.ts";
import { createUsageReader } from "../plan/usage-api.ts";
import type { Fetch } from "../shared/http.ts";
import { createUpstream } from "../upstream/upstream.ts";
import { flagOption, type Command, type CommandContext } from "./command.ts";
import { humanDuration } from "./format.ts";
import { askLocalProxy, isServing } from "./health.ts";

const HELP = `Usage: maximize usage [--json]

How much of your plan's 5-hour and weekly limits is used, and when each resets, for
every Claude login (each account under its name; see \`maximize accounts\`). Asks the
running proxy when one is up (it learns the plan from every answer), otherwise Anthropic's
usage endpoint with each login (no tokens are spent). An API key has no plan limits to show.

Options:
  --json    per account: status, and for each window utilization (0–1) and resets_at (ISO 8601);
            "failed": the accounts that could not be asked, and why
`;

export interface UsageReport {
  accounts: PlanState[];
  /** Where it came from: the running proxy, or the usage endpoint asked directly. */
  from: "proxy" | "usage_api";
  /** Why there is nothing to show (set only when `accounts` is empty). */
  error?: string;
  /** The Claude logins whose usage could not be asked, and why (the others are in `accounts`). */
  failed?: { account: string; error: string }[];
}

/**
 * The plan of every Claude login (or of the accounts named in `only`): from the running proxy's GET /usage, else from
 * the usage endpoint, asked with each login in turn (API-key accounts have no plan).
 */
export async function gatherUsage(ctx: { config: Config; fetch: Fetch }, timeoutMs = 15_000, only?: string[]): Promise<UsageReport> {
  const wanted = (name: string) => only === undefined || only.includes(name);
  if (await isServing(ctx.config, 700)) {
    const response = await askLocalProxy(ctx, "/usage");
    if (response?.ok) {
      const body = (await response.json()) as { accounts: PlanState[]; error?: string; failed?: UsageReport["failed"] };
      const accounts = body.accounts.filter((state) => wanted(state.account));
      const failed = body.failed?.filter((f) => wanted(f.account)) ?? [];
      // As from the files: `error` when nothing could be shown, `failed` per account beside what could.
      if (accounts.length === 0) return { accounts, from: "proxy", ...(body.error ? { error: body.error } : {}) };
      return { accounts, from: "proxy", ...(failed.length > 0 ? { failed } : {}) };
    }
  }
  if (ctx.config.api.anthropic_api_key)
    return { accounts: [], from: "usage_api", error: "maximize uses an Anthropic API key: there are no plan limits to show" };
  const logins = listAccounts(ctx.config)
    .filter((ref) => wanted(ref.name))
    .map((ref) => ({ ref, ...accountCredentials(ctx.config, ref, ctx.fetch) }))
    .filter((account) => account.kind === "oauth");
  if (logins.length === 0)
    return { accounts: [], from: "usage_api", error: "every account is an Anthropic API key: there are no plan limits to show" };
  const results = await Promise.all(
    logins.map(({ ref, credentials }) =>
      createUsageReader({ upstream: createUpstream({ config: ctx.config, credentials, fetch: ctx.fetch }), timeoutMs, account: ref.name })
        .read()
        .then(
          (state) => ({ state }),
          (error: unknown) => ({ failure: { account: ref.name, error: (error as Error).message } }),
        ),
    ),
  );
  const accounts = results.flatMap((result) => ("state" in result ? [result.state] : []));
  const failed = results.flatMap((result) => ("failure" in result ? [result.failure] : []));
  // One login (the usual case) fails in its own words, as before accounts; several name theirs.
  const error =
    accounts.length > 0
      ? undefined
      : failed.length === 1
        ? failed[0]?.error
        : failed.map((f) => `account "${f.account}": ${f.error}`).join("; ");
  return { accounts, from: "usage_api", ...(error ? { error } : {}), ...(failed.length > 0 && accounts.length > 0 ? { failed } : {}) };
}

const BAR = 24;

/** "resets 18:40, in 2h 13m" (local time). */
export function describeReset(iso: string | null, nowMs: number): string {
  if (!iso) return "reset time unknown";
  const at = Date.parse(iso);
  const clock = new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  const left = (at - nowMs) / 1000;
  const day =
    new Date(at).toDateString() === new Date(nowMs).toDateString() ? "" : `${new Date(at).toLocaleDateString([], { weekday: "short" })} `;
  return left > 0 ? `resets ${day}${clock}, in ${humanDuration(left)}` : `reset ${day}${clock}`;
}

function bar(utilization: number, c: Colors): string {
  const filled = Math.round(Math.min(1, Math.max(0, utilization)) * BAR);
  const colour = utilization >= 0.9 ? c.red : utilization >= 0.75 ? c.yellow : c.green;
  return colour("█".repeat(filled)) + c.dim("░".repeat(BAR - filled));
}

/** One line per window: label, bar, percent, reset. */
export function windowLines(state: PlanState, nowMs: number, c: Colors): string[] {
  const rows = Object.entries(state.windows).map(([name, window]) => [
    (WINDOW_LABELS[name] ?? name).padEnd(13),
    bar(window.utilization, c),
    `${String(Math.round(window.utilization * 100)).padStart(3)} %`,
    describeReset(window.resets_at, nowMs),
  ]);
  const extra = state.extra_usage;
  if (extra?.is_enabled && typeof extra.utilization === "number") {
    rows.push([
      "extra usage".padEnd(13),
      bar(extra.utilization, c),
      `${String(Math.round(extra.utilization * 100)).padStart(3)} %`,
      extra.monthly_limit != null ? `of ${extra.monthly_limit} a month` : "",
    ]);
  }
  return rows.map((row) => row.join("  ").trimEnd());
}

/** The one-line summary `maximize status` shows for one account: "5-hour 42 % (resets in 2h 13m), 7-day 10 %". */
export function usageSummary(report: UsageReport, nowMs: number, account = DEFAULT_ACCOUNT): string | undefined {
  const state =
    report.accounts.find((candidate) => candidate.account === account) ?? (report.accounts.length === 1 ? report.accounts[0] : undefined);
  if (!state) return undefined;
  return Object.entries(state.windows)
    .map(([name, window], i) => {
      const left = window.resets_at ? (Date.parse(window.resets_at) - nowMs) / 1000 : undefined;
      const reset = i === 0 && left !== undefined && left > 0 ? ` (resets in ${humanDuration(left)})` : "";
      return `${WINDOW_LABELS[name] ?? name} ${Math.round(window.utilization * 100)} %${reset}`;
    })
    .join(", ");
}

async function run(ctx: CommandContext): Promise<number> {
  const report = await gatherUsage(ctx);
  if (flagOption(ctx.args, "json")) {
    const accounts = report.accounts.map((state) => ({
      account: state.account,
      status: state.status,
      windows: Object.fromEntries(
        Object.entries(state.windows).map(([name, w]) => [name, { utilization: w.utilization, resets_at: w.resets_at }]),
      ),
      ...(state.extra_usage ? { extra_usage: state.extra_usage } : {}),
      source: state.source,
      seen_at: state.seen_at,
    }));
    const extra = { ...(report.error ? { error: report.error } : {}), ...(report.failed ? { failed: report.failed } : {}) };
    ctx.out.write(`${JSON.stringify({ accounts, from: report.from, ...extra }, null, 2)}\n`);
    return report.accounts.length > 0 ? 0 : 1;
  }
  const c = ctx.out.colors;
  if (report.accounts.length === 0) {
    ctx.err.write(
      `${report.error ?? "no plan information yet"} — ${/login|logged in/.test(report.error ?? "") ? "run `maximize login`" : "try again shortly"}\n`,
    );
    return 1;
  }
  for (const state of report.accounts) {
    const status =
      state.status === "rejected"
        ? c.red("limit reached")
        : state.status === "allowed_warning"
          ? c.yellow("close to a limit")
          : state.status
            ? c.green(state.status)
            : "";
    const seen = `${state.source === "headers" ? "from the last answer" : "from the usage endpoint"}, ${humanDuration((ctx.now() - Date.parse(state.seen_at)) / 1000)} ago`;
    ctx.out.write(`${c.bold(state.account)} ${status} ${c.dim(`(${seen})`)}\n`);
    for (const line of windowLines(state, ctx.now(), c)) ctx.out.write(`  ${line}\n`);
  }
  for (const { account, error } of report.failed ?? [])
    ctx.err.write(`${ctx.err.colors.red(`account "${account}" could not be asked:`)} ${error}\n`);
  return 0;
}

export const usageCommand: Command = {
  name: "usage",
  summary: "how much of your 5-hour and weekly limits is used, and when they reset",
  help: HELP,
  options: { json: { type: "boolean" } },
  run,
};
