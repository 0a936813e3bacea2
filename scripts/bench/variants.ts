/**
 * The maximize configurations a run measures. The first is the one judged against the targets: every feature the
 * bench can drive switched on. Usage tracking (the plan headers of every answer, tokens counted from every answer and
 * event) and the per-model metrics have no switch and are always inside the numbers; the access log is at `info`, the
 * default, one line per request to a file. The others are diagnostic: the same binary with a feature off, to show
 * what that feature costs. When several accounts exist, their settings belong in MAXIMIZE.env (every feature on),
 * and a single-account entry in DIAGNOSTIC_VARIANTS shows what they cost.
 */
import type { ProxyOptions } from "./processes.ts";

export interface Variant {
  name: string;
  /** What differs, for the table. */
  note: string;
  logLevel: ProxyOptions["logLevel"];
  /** More MAXIMIZE_ settings (accounts, keys, …). */
  env: Record<string, string>;
}

export const MAXIMIZE: Variant = {
  name: "maximize",
  note: "every feature on: usage tracking, per-model metrics, access log at info",
  logLevel: "info",
  env: {},
};

/** Measured for latency and CPU only, next to MAXIMIZE. */
export const DIAGNOSTIC_VARIANTS: Variant[] = [
  { name: "maximize, log warn", note: "no access-log line per request", logLevel: "warn", env: {} },
];
