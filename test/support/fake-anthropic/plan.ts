/**
 * The subscription plan's state (docs/PROTOCOL.md §8): the `anthropic-ratelimit-unified-*` headers on every answer to an
 * OAuth caller, the 429 a rejected plan gives, and GET /api/oauth/usage. One state feeds all three, so a test that
 * sets it sees the same numbers everywhere.
 */
import { ApiError } from "./errors.ts";

export type PlanStatus = "allowed" | "allowed_warning" | "rejected";

export interface PlanWindow {
  /** 0–1, as the headers carry it. */
  utilization: number;
  /** Epoch seconds. */
  resetsAt: number;
  /** Default: from utilization (≥ 1 rejected, ≥ 0.8 allowed_warning, else allowed). */
  status?: PlanStatus;
  /** Sent as `-<w>-surpassed-threshold` when set (e.g. 0.75). */
  surpassedThreshold?: number;
}

export interface ExtraUsage {
  is_enabled: boolean;
  monthly_limit: number | null;
  used_credits: number | null;
  /** 0–1 like the windows; scaled like them in the usage answer. */
  utilization: number | null;
}

export interface PlanState {
  status: PlanStatus;
  /** five_hour | seven_day | seven_day_opus | seven_day_sonnet | overage … */
  representativeClaim: string;
  /** Keyed by the header's window name: "5h", "7d", "7d_opus", "7d_sonnet", "overage"… */
  windows: Record<string, PlanWindow>;
  /** `-unified-fallback` when set (e.g. "available"). */
  fallback?: string;
  overage?: { status: PlanStatus; resetsAt?: number; disabledReason?: string };
  extraUsage: ExtraUsage;
  /** How GET /api/oauth/usage writes utilization: undocumented, so tests can try both. Default "percent" (0–100). */
  usageScale: "percent" | "fraction";
}

/** What `fake.setPlan()` takes: fields replace, windows merge one by one (null removes a window). */
export type PlanUpdate = Partial<Omit<PlanState, "windows" | "extraUsage">> & {
  windows?: Record<string, Partial<PlanWindow> | null>;
  extraUsage?: Partial<ExtraUsage>;
};

const HOUR = 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);

export function defaultPlan(now = nowSeconds()): PlanState {
  return {
    status: "allowed",
    representativeClaim: "five_hour",
    windows: {
      "5h": { utilization: 0.12, resetsAt: now + 3 * HOUR },
      "7d": { utilization: 0.34, resetsAt: now + 4 * 24 * HOUR },
    },
    extraUsage: { is_enabled: false, monthly_limit: null, used_credits: null, utilization: null },
    usageScale: "percent",
  };
}

export function updatePlan(plan: PlanState, update: PlanUpdate): PlanState {
  const { windows = {}, extraUsage = {}, ...fields } = update;
  const merged: Record<string, PlanWindow> = { ...plan.windows };
  for (const [name, window] of Object.entries(windows)) {
    if (window === null) delete merged[name];
    else merged[name] = { utilization: 0, resetsAt: nowSeconds() + 5 * HOUR, ...merged[name], ...window };
  }
  return { ...plan, ...fields, windows: merged, extraUsage: { ...plan.extraUsage, ...extraUsage } };
}

const CLAIM_WINDOWS: Record<string, string> = {
  five_hour: "5h",
  seven_day: "7d",
  seven_day_opus: "7d_opus",
  seven_day_sonnet: "7d_sonnet",
  overage: "overage",
};

/** When the representative claim resets (falling back to the latest window reset). */
function unifiedReset(plan: PlanState): number {
  const window = plan.windows[CLAIM_WINDOWS[plan.representativeClaim] ?? plan.representativeClaim];
  if (window) return window.resetsAt;
  return Math.max(nowSeconds(), ...Object.values(plan.windows).map((w) => w.resetsAt));
}

const windowStatus = (w: PlanWindow): PlanStatus =>
  w.status ?? (w.utilization >= 1 ? "rejected" : w.utilization >= 0.8 ? "allowed_warning" : "allowed");

export function planHeaders(plan: PlanState): Record<string, string> {
  const prefix = "anthropic-ratelimit-unified";
  const headers: Record<string, string> = {
    [`${prefix}-status`]: plan.status,
    [`${prefix}-reset`]: String(unifiedReset(plan)),
    [`${prefix}-representative-claim`]: plan.representativeClaim,
  };
  if (plan.fallback !== undefined) headers[`${prefix}-fallback`] = plan.fallback;
  if (plan.overage) {
    headers[`${prefix}-overage-status`] = plan.overage.status;
    if (plan.overage.resetsAt !== undefined) headers[`${prefix}-overage-reset`] = String(plan.overage.resetsAt);
    if (plan.overage.disabledReason !== undefined) {
      headers[`${prefix}-overage-disabled-reason`] = plan.overage.disabledReason;
    }
  }
  for (const [name, window] of Object.entries(plan.windows)) {
    headers[`${prefix}-${name}-status`] = windowStatus(window);
    headers[`${prefix}-${name}-utilization`] = String(window.utilization);
    headers[`${prefix}-${name}-reset`] = String(window.resetsAt);
    if (window.surpassedThreshold !== undefined) {
      headers[`${prefix}-${name}-surpassed-threshold`] = String(window.surpassedThreshold);
    }
  }
  return headers;
}

/** A model's own weekly windows: their claim binds only the models whose ID holds the word. */
const MODEL_CLAIMS: Readonly<Record<string, string>> = { seven_day_opus: "opus", seven_day_sonnet: "sonnet" };

/**
 * The plan as one request to `model` sees it: a refusal whose claim is another model's own weekly window does not
 * touch this model (its requests are allowed, and the 5-hour window speaks for them).
 */
export function planForModel(plan: PlanState, model: string | undefined): PlanState {
  const word = MODEL_CLAIMS[plan.representativeClaim];
  if (!word || plan.status !== "rejected" || model === undefined || model.includes(word)) return plan;
  return { ...plan, status: "allowed", representativeClaim: "five_hour" };
}

/** Whether requests past the plan are answered from extra usage: the plan rejects, overage allows (Claude Code's isUsingOverage). */
export const usingOverage = (plan: PlanState) =>
  plan.status === "rejected" && (plan.overage?.status === "allowed" || plan.overage?.status === "allowed_warning");

/**
 * A rejected plan refuses inference: 429 rate_limit_error with the plan headers and retry-after — unless extra usage
 * (overage) allows it: then the request is answered, billed as extra usage, and the headers say so.
 */
export function checkPlan(plan: PlanState): void {
  if (plan.status !== "rejected" || usingOverage(plan)) return;
  const retryAfter = Math.max(1, unifiedReset(plan) - nowSeconds());
  throw new ApiError(429, "This request would exceed your account's rate limit. Please try again later.", "rate_limit_error", {
    headers: { ...planHeaders(plan), "retry-after": String(retryAfter) },
  });
}

/** GET /api/oauth/usage: the same state as the headers, in the shape Claude Code's /usage screen reads. */
export function usageBody(plan: PlanState) {
  const scale = (value: number) => (plan.usageScale === "percent" ? Math.round(value * 1000) / 10 : value);
  const window = (name: string) => {
    const w = plan.windows[name];
    return w ? { utilization: scale(w.utilization), resets_at: new Date(w.resetsAt * 1000).toISOString() } : null;
  };
  const extra = plan.extraUsage;
  return {
    five_hour: window("5h"),
    seven_day: window("7d"),
    seven_day_opus: window("7d_opus"),
    seven_day_sonnet: window("7d_sonnet"),
    extra_usage: { ...extra, utilization: extra.utilization === null ? null : scale(extra.utilization) },
  };
}
