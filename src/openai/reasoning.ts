/**
 * OpenAI's `reasoning_effort` and sampling knobs for the model a request will reach (docs/PROTOCOL.md §4/§5). Today's
 * models think adaptively and take `output_config.effort`; a thinking budget (`thinking.type: "enabled"`) is refused
 * by every current model and used only where the catalogue says the model still takes it. Pure.
 */
import { EFFORT_LEVELS, fitEffort, thinkingTypes, type Effort, type ModelInfo } from "../models/info.ts";
import type { ReasoningEffort } from "./schema.ts";

/**
 * reasoning_effort → thinking budget, for models that still take one. xhigh/max stop at 24576 so that budget plus
 * the room kept for the answer stays within the 32k output limit of the smallest such model.
 */
export const THINKING_BUDGETS: Readonly<Record<Effort, number>> = { low: 1024, medium: 4096, high: 16384, xhigh: 24576, max: 24576 };

/** Tokens kept for the visible answer when max_tokens has to be raised above the thinking budget. */
export const ANSWER_ROOM = 4096;

export type ThinkingParam = { type: "adaptive"; display: "summarized" } | { type: "enabled"; budget_tokens: number } | { type: "disabled" };

/** Summarized, because an OpenAI client asking for reasoning reads it back as reasoning_content (newer models omit it by default). */
const ADAPTIVE: ThinkingParam = { type: "adaptive", display: "summarized" };

export interface ReasoningPlan {
  thinking?: ThinkingParam;
  effort?: Effort;
  /** Whether temperature/top_p may be sent. */
  sampling: boolean;
  /** What was changed or left out, for the debug log. */
  notes: string[];
}

export interface ReasoningContext {
  /** The catalogue's entry for the model (undefined: not listed, e.g. an ID the catalogue does not know). */
  model: ModelInfo | undefined;
  /** The client's anthropic-version, if any: under 2026-10-21 sampling parameters are refused on every model. */
  version?: string | null;
  /**
   * False on a forced tool choice and on a turn that answers tool calls: Anthropic refuses thinking with forced
   * tool use, and after tool calls wants the previous turn's signed thinking blocks back.
   */
  thinkingAllowed: boolean;
}

/** The anthropic-version that removed temperature/top_p/top_k (docs/PROTOCOL.md §2). */
const SAMPLING_REMOVED_IN = "2026-10-21";

/** For a model the catalogue does not describe: the levels every effort-taking model accepts. */
const UNIVERSAL = EFFORT_LEVELS.indexOf("high");
const fitUnknown = (level: Effort): Effort => EFFORT_LEVELS[Math.min(EFFORT_LEVELS.indexOf(level), UNIVERSAL)] as Effort;

function thinkingFor(level: Effort, context: ReasoningContext): Pick<ReasoningPlan, "thinking" | "effort"> {
  const types = thinkingTypes(context.model);
  const effort = context.model ? fitEffort(level, context.model) : fitUnknown(level);
  if (!context.thinkingAllowed) return { effort };
  if (!types || types.adaptive) return { thinking: ADAPTIVE, effort };
  if (types.enabled) return { thinking: { type: "enabled", budget_tokens: THINKING_BUDGETS[level] } };
  return { effort }; // a model without thinking: effort alone
}

/** The thinking, effort and sampling fields for a request's reasoning_effort on its model. */
export function planReasoning(wanted: ReasoningEffort | undefined, context: ReasoningContext): ReasoningPlan {
  const notes: string[] = [];
  let planned: Pick<ReasoningPlan, "thinking" | "effort"> = {};
  if (wanted === "none" || wanted === "minimal") {
    const types = thinkingTypes(context.model);
    const alwaysThinks = types?.disabled === false;
    if (types?.disabled) planned.thinking = { type: "disabled" };
    if (alwaysThinks) notes.push(`reasoning_effort ${wanted}: ${context.model?.id} always thinks; asking for its lowest effort instead`);
    if (wanted === "minimal" || alwaysThinks) planned.effort = context.model ? fitEffort("low", context.model) : "low";
  } else if (wanted !== undefined) {
    planned = thinkingFor(wanted, context);
    if (planned.effort && planned.effort !== wanted)
      notes.push(`reasoning_effort ${wanted} → effort ${planned.effort} (what ${context.model?.id ?? "the model"} lists)`);
    if (!context.thinkingAllowed) notes.push("thinking left off: forced tool choice or a turn that answers tool calls");
  }
  const thinkingOn = planned.thinking !== undefined && planned.thinking.type !== "disabled";
  const types = thinkingTypes(context.model);
  // Versions are dates: 2026-10-21 dropped sampling parameters, and later ones are not expected to bring them back.
  const newVersion = (context.version ?? "") >= SAMPLING_REMOVED_IN;
  const sampling = !thinkingOn && !newVersion && !(types && !types.enabled && types.adaptive);
  return { ...planned, sampling, notes };
}
