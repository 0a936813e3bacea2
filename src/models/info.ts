/**
 * What maximize reads of a model in Anthropic's catalogue (`GET /v1/models`, docs/PROTOCOL.md §3/§4). Loose: every other
 * field, including ones that do not exist yet, is kept and passed on to clients untouched.
 */
import * as v from "valibot";

/** Effort levels from least to most (`output_config.effort`); the order is what "clamp" and "highest" go by. */
export const EFFORT_LEVELS = ["low", "medium", "high", "xhigh", "max"] as const;
export type Effort = (typeof EFFORT_LEVELS)[number];

const Support = v.looseObject({ supported: v.optional(v.boolean()) });

export const ModelInfoSchema = v.looseObject({
  id: v.pipe(v.string(), v.nonEmpty()),
  created_at: v.optional(v.string()),
  display_name: v.optional(v.string()),
  /** Absent in the API before 2026-10: such a listing only holds models that can be used. */
  lifecycle: v.optional(v.nullable(v.string())),
  /** The model line (`haiku`, `sonnet`, `opus`, `fable`, …); the API says not to infer it from the id. */
  line: v.optional(v.nullable(v.string())),
  /** The largest max_tokens the model takes. */
  max_tokens: v.optional(v.nullable(v.number())),
  capabilities: v.optional(
    v.nullable(
      v.looseObject({
        thinking: v.optional(
          v.nullable(
            v.looseObject({
              supported: v.optional(v.boolean()),
              types: v.optional(
                v.nullable(
                  v.looseObject({
                    adaptive: v.optional(v.nullable(Support)),
                    enabled: v.optional(v.nullable(Support)),
                    disabled: v.optional(v.nullable(Support)),
                  }),
                ),
              ),
            }),
          ),
        ),
        effort: v.optional(
          v.nullable(
            v.looseObject({
              supported: v.optional(v.boolean()),
              low: v.optional(v.nullable(Support)),
              medium: v.optional(v.nullable(Support)),
              high: v.optional(v.nullable(Support)),
              xhigh: v.optional(v.nullable(Support)),
              max: v.optional(v.nullable(Support)),
            }),
          ),
        ),
      }),
    ),
  ),
});
export type ModelInfo = v.InferOutput<typeof ModelInfoSchema>;

export const ModelPageSchema = v.looseObject({
  data: v.array(ModelInfoSchema),
  has_more: v.optional(v.boolean()),
  last_id: v.optional(v.nullable(v.string())),
});

/** A model can serve requests: active, or listed before lifecycles existed. Deprecated models are not chosen anew. */
export const isActive = (model: ModelInfo) => model.lifecycle === undefined || model.lifecycle === null || model.lifecycle === "active";

/** The effort levels a model accepts, in order; empty when it takes no effort setting (or does not say). */
export function effortLevels(model: ModelInfo | undefined): Effort[] {
  const effort = model?.capabilities?.effort;
  if (!effort || effort.supported === false) return [];
  return EFFORT_LEVELS.filter((level) => effort[level]?.supported === true);
}

/**
 * The effort to send for a wanted level on a model: the level itself when listed, else the nearest listed level
 * below it (then above it); "highest" is the top listed level. Undefined when the model takes no effort. A model whose
 * capabilities are unknown (not in the catalogue) gets the level as asked — "highest" needs a list, so nothing.
 */
export function fitEffort(wanted: Effort | "highest", model: ModelInfo | undefined): Effort | undefined {
  if (!model?.capabilities?.effort) return wanted === "highest" ? undefined : wanted;
  const levels = effortLevels(model);
  if (levels.length === 0) return undefined;
  if (wanted === "highest") return levels.at(-1);
  const rank = EFFORT_LEVELS.indexOf(wanted);
  const below = levels.filter((level) => EFFORT_LEVELS.indexOf(level) <= rank);
  return below.at(-1) ?? levels[0];
}

/** Which `thinking.type` values a model accepts; undefined where the catalogue does not say (an unknown model). */
export function thinkingTypes(model: ModelInfo | undefined): { adaptive: boolean; enabled: boolean; disabled: boolean } | undefined {
  const types = model?.capabilities?.thinking?.types;
  if (!types) return undefined;
  return {
    adaptive: types.adaptive?.supported === true,
    enabled: types.enabled?.supported === true,
    // "True on a model that does not support thinking" (SDK docs): absent means accepted.
    disabled: types.disabled?.supported !== false,
  };
}

/** Newer first by `created_at` (unknown dates last), then by id for a stable order. */
export function newestFirst(a: ModelInfo, b: ModelInfo): number {
  const time = (model: ModelInfo) => Date.parse(model.created_at ?? "") || 0;
  return time(b) - time(a) || a.id.localeCompare(b.id);
}
