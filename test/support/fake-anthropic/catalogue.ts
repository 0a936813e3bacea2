/**
 * The default model catalogue: the lineup of December 2026 (docs/PROTOCOL.md §4; ids and release dates of the 5.5
 * generation from SDK 1.12.0). Dates the fact sheet does not give (Opus 4.8, Sonnet 5, Opus 5, deprecation dates of
 * the 4.5 generation) are plausible inventions; what matters to tests is the order and the lifecycle.
 *
 * Per-model behaviour (docs/PROTOCOL.md §4): adaptive thinking everywhere callable; budget thinking refused from Opus 4.7
 * and Sonnet 5 on; Opus 5.5 and Fable think always (no `disabled`) and refuse forced tool use; non-default sampling
 * parameters refused from Opus 4.7 / Sonnet 5 / Haiku 5.5 on. Effort levels are a choice, recorded in capabilities.
 */
import type { EffortLevel, ModelSpec } from "./models.ts";

const ALL_EFFORTS: EffortLevel[] = ["low", "medium", "high", "xhigh", "max"];
const UP_TO_XHIGH: EffortLevel[] = ["low", "medium", "high", "xhigh"];
const UP_TO_HIGH: EffortLevel[] = ["low", "medium", "high"];
const HIGH_AND_MAX: EffortLevel[] = ["low", "medium", "high", "max"];

const day = (date: string) => `${date}T00:00:00Z`;

/** Thinking only as the model decides (adaptive); the newest generation also shows none of it unless asked. */
const NO_BUDGET = {
  thinking: { adaptive: true, enabled: false, disabled: true, between_tools: true },
  rules: { samplingParams: false, thinkingDisplay: "omitted" as const },
};
/** Opus 5.5 and Fable: thinking is always on, and tool use cannot be forced. */
const ALWAYS_THINKING = {
  thinking: { adaptive: true, enabled: false, disabled: false, between_tools: false },
  rules: { samplingParams: false, forcedToolUse: false, thinkingDisplay: "omitted" as const },
};
/** Up to the 4.6 generation: budget thinking and sampling parameters still work. */
const CLASSIC = {
  thinking: { adaptive: true, enabled: true, disabled: true, between_tools: false },
  rules: { samplingParams: true },
};

const current = (id: string, created: string, effort: EffortLevel[], kind: Partial<ModelSpec>): ModelSpec => ({
  id,
  created_at: day(created),
  effort,
  ...kind,
});

const deprecated = (spec: ModelSpec, deprecatedAt: string, retiresAt: string): ModelSpec => ({
  ...spec,
  lifecycle: "deprecated",
  deprecated_at: day(deprecatedAt),
  retires_at: day(retiresAt),
});

/** Retired models: still described by GET /v1/models/{id} and `lifecycle[]=retired`, 404 for inference. */
const retired = (id: string, deprecatedAt: string, retiredAt: string, maxTokens: number, budget: boolean): ModelSpec => ({
  id,
  lifecycle: "retired",
  deprecated_at: day(deprecatedAt),
  retires_at: day(retiredAt),
  max_input_tokens: 200_000,
  max_tokens: maxTokens,
  effort: [],
  thinking: { adaptive: false, enabled: budget, disabled: true, between_tools: false },
  capabilities: { structured_outputs: { supported: false } },
});

export const DEFAULT_CATALOGUE: readonly ModelSpec[] = [
  current("claude-fable-5-2", "2026-11-12", ALL_EFFORTS, ALWAYS_THINKING),
  current("claude-haiku-5-5", "2026-10-07", UP_TO_HIGH, NO_BUDGET),
  current("claude-sonnet-5-5", "2026-09-28", UP_TO_XHIGH, NO_BUDGET),
  current("claude-opus-5-5", "2026-09-22", ALL_EFFORTS, ALWAYS_THINKING),
  current("claude-opus-5", "2026-07-22", ALL_EFFORTS, NO_BUDGET),
  current("claude-sonnet-5", "2026-07-08", UP_TO_XHIGH, NO_BUDGET),
  current("claude-opus-4-8", "2026-06-10", ALL_EFFORTS, NO_BUDGET),
  current("claude-opus-4-7", "2026-04-16", ALL_EFFORTS, {
    ...NO_BUDGET,
    thinking: { ...NO_BUDGET.thinking, between_tools: false },
  }),
  current("claude-sonnet-4-6", "2026-02-17", HIGH_AND_MAX, CLASSIC),
  current("claude-opus-4-6", "2026-02-05", HIGH_AND_MAX, CLASSIC),
  deprecated(
    current("claude-opus-4-5", "2025-11-24", UP_TO_HIGH, { ...CLASSIC, aliases: ["claude-opus-4-5-20251101"] }),
    "2026-09-22",
    "2027-03-22",
  ),
  deprecated(
    current("claude-haiku-4-5", "2025-10-15", [], { ...CLASSIC, aliases: ["claude-haiku-4-5-20251001"] }),
    "2026-10-07",
    "2027-04-07",
  ),
  deprecated(
    current("claude-sonnet-4-5", "2025-09-29", [], { ...CLASSIC, aliases: ["claude-sonnet-4-5-20250929"] }),
    "2026-09-28",
    "2027-03-28",
  ),
  retired("claude-opus-4-1-20250805", "2026-05-05", "2026-08-05", 32_000, true),
  retired("claude-opus-4-20250514", "2026-03-15", "2026-06-15", 32_000, true),
  retired("claude-sonnet-4-20250514", "2026-03-15", "2026-06-15", 64_000, true),
  retired("claude-3-7-sonnet-20250219", "2025-10-28", "2026-02-19", 64_000, true),
  retired("claude-3-5-sonnet-20241022", "2025-08-13", "2025-10-28", 8_192, false),
  retired("claude-3-5-haiku-20241022", "2025-12-19", "2026-02-19", 8_192, false),
];

const ids = (keep: (spec: ModelSpec) => boolean) => DEFAULT_CATALOGUE.filter(keep).map((spec) => spec.id);

/** The active ids, newest first. */
export const DEFAULT_MODELS: readonly string[] = ids((spec) => (spec.lifecycle ?? "active") === "active");
/** Deprecated: still callable and listed by default, headed for retirement. */
export const DEPRECATED_MODELS: readonly string[] = ids((spec) => spec.lifecycle === "deprecated");
/** Retired: known to GET /v1/models/{id} and `lifecycle[]=retired`, 404 for inference. */
export const RETIRED_MODELS: readonly string[] = ids((spec) => spec.lifecycle === "retired");
