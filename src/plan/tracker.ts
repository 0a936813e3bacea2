/**
 * The plan as seen in traffic, per account, and the moments worth a log line: a window crossing 75 % or 90 %, the
 * status turning `allowed_warning`, a request refused for the plan. Parsing runs only on answers that carry the
 * unified headers (subscription logins), and costs a few header lookups.
 */
import { DEFAULT_ACCOUNT } from "../auth/accounts.ts";
import { planFromHeaders, windowLabel, type PlanState } from "./plan.ts";

export interface PlanTracker {
  /** Reads an upstream answer's headers (status: the HTTP status, for the rejected case). */
  observe(headers: Headers, status: number, account?: string): void;
  /** The latest state per account. */
  states(): PlanState[];
  /** One account's latest state. */
  state(account: string): PlanState | undefined;
}

const THRESHOLDS = [0.75, 0.9] as const;

/** The claim that binds, in words ("5-hour"); "plan" when the headers name none. */
const claim = (value: string | null) => (value ? windowLabel(value) : "plan");

const describeReset = (iso: string | null) => (iso ? ` (resets ${iso})` : "");

export function createPlanTracker(
  options: {
    log?: { info(m: string): void; warn(m: string): void };
    now?: () => number;
    /** Whether there are several accounts: then every line names its account, `default` too. */
    several?: () => boolean;
  } = {},
): PlanTracker {
  const now = options.now ?? Date.now;
  const states = new Map<string, PlanState>();
  return {
    observe(headers, status, account = DEFAULT_ACCOUNT) {
      if (!headers.has("anthropic-ratelimit-unified-status")) return;
      const next = planFromHeaders(headers, account, now());
      if (!next) return;
      const previous = states.get(account);
      states.set(account, next);
      const log = options.log;
      if (!log) return;
      // Worked out only for a line that is written: observe() runs for every answer.
      const plan = () => (account === DEFAULT_ACCOUNT && !options.several?.() ? "plan" : `plan (account ${account})`);
      for (const [name, window] of Object.entries(next.windows)) {
        const before = previous?.windows[name]?.utilization ?? 0;
        const crossed = THRESHOLDS.filter((level) => before < level && window.utilization >= level).at(-1);
        if (crossed !== undefined) {
          log.warn(
            `${plan()}: the ${windowLabel(name)} limit is ${Math.round(window.utilization * 100)} % used${describeReset(window.resets_at)}`,
          );
        }
      }
      if (next.status === "allowed_warning" && previous?.status !== "allowed_warning") {
        log.warn(`${plan()}: Anthropic says the ${claim(next.representative_claim)} limit is close${describeReset(next.resets_at)}`);
      }
      // Said when the refusals begin, not for every refused request.
      if (status === 429 && next.status === "rejected" && previous?.status !== "rejected") {
        log.warn(
          `${plan()}: a request was refused: the ${claim(next.representative_claim)} limit is used up${describeReset(next.resets_at)}`,
        );
      }
    },
    states: () => [...states.values()],
    state: (account) => states.get(account),
  };
}
