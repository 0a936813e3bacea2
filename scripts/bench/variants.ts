/**
 * The maximize configurations a run measures. The first is the one judged against the targets: every feature the
 * bench can drive switched on. Usage tracking (the plan headers of every answer, tokens counted from every answer and
 * event) and the per-model metrics have no switch and are always inside the numbers; the access log is at `info`, the
 * default, one line per request to a file. The others are diagnostic: the same binary with a feature off, to show
 * what that feature costs. Several accounts are on in MAXIMIZE (three Claude logins: the choice of an account, the
 * conversation map, the plan per account run on every request); "one account" shows what they cost (issue 15: within
 * 5 % per request).
 */
import type { ProxyOptions } from "./processes.ts";

export interface Variant {
  name: string;
  /** What differs, for the table. */
  note: string;
  logLevel: ProxyOptions["logLevel"];
  /** More MAXIMIZE_ settings (keys, …). */
  env: Record<string, string>;
  /** Claude logins: the token file and (accounts − 1) files in the accounts folder. */
  accounts: number;
}

export const MAXIMIZE: Variant = {
  name: "maximize",
  note: "every feature on: three accounts, usage tracking, per-model metrics, access log at info",
  logLevel: "info",
  env: {},
  accounts: 3,
};

/** The name of the variant the accounts target compares against. */
export const ONE_ACCOUNT = "maximize, one account";

/** Measured for latency and CPU only, next to MAXIMIZE. */
export const DIAGNOSTIC_VARIANTS: Variant[] = [
  { name: ONE_ACCOUNT, note: "one Claude login instead of three", logLevel: "info", env: {}, accounts: 1 },
  { name: "maximize, log warn", note: "no access-log line per request", logLevel: "warn", env: {}, accounts: 3 },
];

/** What a variant sets in a proxy's options (scripts/bench/processes.ts). */
export const variantOptions = (variant: Variant) => ({ logLevel: variant.logLevel, env: variant.env, accounts: variant.accounts });
