/**
 * The subscription plan's state (docs/PROTOCOL.md §8), learnt for free from the `anthropic-ratelimit-unified-*`
 * headers on every upstream answer, or asked of `GET /api/oauth/usage`. One shape for both, per account.
 */

/** Window names as the usage endpoint spells them; the headers' short names map onto them. */
const WINDOW_NAMES: Readonly<Record<string, string>> = {
  "5h": "five_hour",
  "7d": "seven_day",
  "7d_opus": "seven_day_opus",
  "7d_sonnet": "seven_day_sonnet",
  overage: "overage",
};
export const windowName = (headerName: string) => WINDOW_NAMES[headerName] ?? headerName;

export { WINDOW_LABELS, windowLabel } from "../shared/window-labels.ts";

export interface PlanWindow {
  /** 0–1. */
  utilization: number;
  /** ISO 8601, when known. */
  resets_at: string | null;
  /** allowed | allowed_warning | rejected, when the headers say. */
  status?: string;
}

export interface PlanState {
  account: string;
  /** allowed | allowed_warning | rejected (headers), or null when only the usage endpoint was asked. */
  status: string | null;
  representative_claim: string | null;
  /** When the plan as a whole resets (the representative claim's window), ISO 8601. */
  resets_at: string | null;
  windows: Record<string, PlanWindow>;
  /**
   * Extra usage as the headers tell it (`-unified-overage-status`, `-overage-reset`): with the plan `rejected` and
   * overage `allowed`, requests are answered, and billed as extra usage (docs/PROTOCOL.md §8).
   */
  overage?: { status: string; resets_at: string | null };
  /** Extra usage (credits beyond the plan), when the usage endpoint reports it. */
  extra_usage?: { is_enabled: boolean; monthly_limit: number | null; used_credits: number | null; utilization: number | null };
  source: "headers" | "usage_api";
  /** ISO 8601. */
  seen_at: string;
}

const PREFIX = "anthropic-ratelimit-unified-";
const isoFromSeconds = (value: string | null) => {
  const seconds = Number(value);
  return value !== null && Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : null;
};

/** Whether an answer with this plan state was billed as extra usage: the plan refuses, extra usage allows. */
export const drawsExtraUsage = (plan: PlanState | undefined): boolean =>
  plan?.status === "rejected" && (plan.overage?.status === "allowed" || plan.overage?.status === "allowed_warning");

/** The plan as one answer's headers tell it; undefined when they carry none (an API key, an older API). */
export function planFromHeaders(headers: Headers, account: string, now: number): PlanState | undefined {
  const status = headers.get(`${PREFIX}status`);
  if (status === null) return undefined;
  const windows: Record<string, PlanWindow> = {};
  headers.forEach((value, name) => {
    const match = /^anthropic-ratelimit-unified-(.+)-utilization$/.exec(name);
    if (!match) return;
    const short = match[1] as string;
    const utilization = Number(value);
    if (!Number.isFinite(utilization)) return;
    const windowStatus = headers.get(`${PREFIX}${short}-status`);
    windows[windowName(short)] = {
      utilization,
      resets_at: isoFromSeconds(headers.get(`${PREFIX}${short}-reset`)),
      ...(windowStatus ? { status: windowStatus } : {}),
    };
  });
  const overage = headers.get(`${PREFIX}overage-status`);
  return {
    account,
    status,
    representative_claim: headers.get(`${PREFIX}representative-claim`),
    resets_at: isoFromSeconds(headers.get(`${PREFIX}reset`)),
    windows,
    ...(overage ? { overage: { status: overage, resets_at: isoFromSeconds(headers.get(`${PREFIX}overage-reset`)) } } : {}),
    source: "headers",
    seen_at: new Date(now).toISOString(),
  };
}

/** The usage endpoint's utilization is 0–100 or 0–1 (undocumented): above 1 is read as percent. */
export const fraction = (value: number) => (value > 1 ? value / 100 : value);

/** The plan from `GET /api/oauth/usage`'s answer. */
export function planFromUsage(body: Record<string, unknown>, account: string, now: number): PlanState {
  const windows: Record<string, PlanWindow> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === "extra_usage" || typeof value !== "object" || value === null) continue;
    const window = value as { utilization?: unknown; resets_at?: unknown };
    if (typeof window.utilization !== "number") continue;
    windows[name] = {
      utilization: fraction(window.utilization),
      resets_at: typeof window.resets_at === "string" ? window.resets_at : null,
    };
  }
  const extra = body.extra_usage as PlanState["extra_usage"] | null | undefined;
  return {
    account,
    status: null,
    representative_claim: null,
    resets_at: null,
    windows,
    ...(extra && typeof extra === "object"
      ? { extra_usage: { ...extra, utilization: typeof extra.utilization === "number" ? fraction(extra.utilization) : null } }
      : {}),
    source: "usage_api",
    seen_at: new Date(now).toISOString(),
  };
}
