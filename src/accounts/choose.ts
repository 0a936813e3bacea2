/**
 * Which account a request goes to (pure, table-tested). A conversation stays where it started while that account
 * can serve (its prompt cache is warm there); a new one goes to the account named first in `accounts.order`, else
 * to the Claude login with the most headroom (the lowest utilization of its binding window), and only when no Claude
 * login can serve, to an API-key account.
 */
import type { AccountKind } from "../auth/accounts.ts";

export interface Candidate {
  name: string;
  kind: AccountKind;
  /** Until when (ms since the epoch) new requests avoid it; absent or past: not cooling. */
  coolingUntil?: number;
  /** The cooldown holds only for models whose ID contains this (a model's own weekly window, e.g. "opus"). */
  coolingFor?: string;
  /** Known unusable (a dead login, no login): skipped until its file changes. */
  unusable?: boolean;
  /** The binding window's utilization (0–1), null when not known yet (counted as unused). */
  utilization: number | null;
}

export interface Choice {
  /** Accounts named in config `accounts.order`, most preferred first. */
  order: readonly string[];
  now: number;
  /** Accounts already tried for this request. */
  exclude?: ReadonlySet<string>;
  /** The account this conversation used before. */
  sticky?: string;
  /** The request's model (a cooldown may hold for some models only). */
  model?: string;
}

/** Whether an account is cooling down for a request to this model. */
export const isCooling = (candidate: Candidate, now: number, model?: string): boolean =>
  candidate.coolingUntil !== undefined &&
  candidate.coolingUntil > now &&
  (candidate.coolingFor === undefined || (model ?? "").includes(candidate.coolingFor));

/** Whether an account can take a request (to this model) now. */
export const canServe = (candidate: Candidate, now: number, model?: string): boolean =>
  !candidate.unusable && !isCooling(candidate, now, model);

/** The account for the next request, or undefined when none can serve. `candidates` come in their listing order. */
export function chooseAccount(candidates: readonly Candidate[], choice: Choice): Candidate | undefined {
  const open = candidates.filter((candidate) => canServe(candidate, choice.now, choice.model) && !choice.exclude?.has(candidate.name));
  if (open.length <= 1) return open[0];
  const sticky = choice.sticky === undefined ? undefined : open.find((candidate) => candidate.name === choice.sticky);
  // A conversation that moved to an API key (paid per token) goes back to a Claude login as soon as one can serve,
  // unless accounts.order prefers the key.
  const paidDetour = sticky?.kind === "api_key" && !choice.order.includes(sticky.name) && open.some((c) => c.kind === "oauth");
  if (sticky && !paidDetour) return sticky;
  for (const name of choice.order) {
    const named = open.find((candidate) => candidate.name === name);
    if (named) return named;
  }
  const logins = open.filter((candidate) => candidate.kind === "oauth");
  if (logins.length === 0) return open[0];
  // Most headroom first; equal headroom keeps the listing order (default, then by name).
  return logins.reduce((best, candidate) => ((candidate.utilization ?? 0) < (best.utilization ?? 0) ? candidate : best));
}

/** The earliest moment an account that is cooling down can serve again (for an honest retry-after), if any. */
export function earliestReturn(candidates: readonly Candidate[], now: number, model?: string): number | undefined {
  const returns = candidates
    .filter((candidate) => !candidate.unusable && isCooling(candidate, now, model))
    .map((candidate) => candidate.coolingUntil as number);
  return returns.length > 0 ? Math.min(...returns) : undefined;
}
