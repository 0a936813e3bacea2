/**
 * The Responses request, as far as maximize relies on it (`ResponseCreateParams` in the openai package). Loose:
 * fields maximize does not translate (store, include, truncation, service_tier, prompt_cache_key, …) are accepted and
 * ignored; input items and tools are checked one by one by the translator, which names what it cannot take.
 */
import * as v from "valibot";
import { ApiError } from "../../shared/errors.ts";
import { deepestIssue, describeIssues, issuePath } from "../../shared/issues.ts";
import { REASONING_EFFORTS } from "../schema.ts";

const optional = <T extends v.GenericSchema>(schema: T) => v.nullish(schema);
const item = v.looseObject({ type: optional(v.string()), role: optional(v.string()) });

export const ResponsesRequestSchema = v.looseObject({
  model: optional(v.string()),
  input: optional(v.union([v.string(), v.array(item)])),
  instructions: optional(v.string()),
  previous_response_id: optional(v.string()),
  stream: optional(v.boolean()),
  store: optional(v.boolean()),
  include: optional(v.array(v.string())),
  max_output_tokens: optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  temperature: optional(v.pipe(v.number(), v.minValue(0), v.maxValue(2))),
  top_p: optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  reasoning: optional(
    v.looseObject({
      effort: optional(v.picklist(REASONING_EFFORTS)),
      summary: optional(v.string()),
      generate_summary: optional(v.string()),
    }),
  ),
  text: optional(
    v.looseObject({
      format: optional(
        v.variant("type", [
          v.looseObject({ type: v.literal("text") }),
          v.looseObject({ type: v.literal("json_object") }),
          v.looseObject({
            type: v.literal("json_schema"),
            name: optional(v.string()),
            schema: optional(v.record(v.string(), v.unknown())),
            strict: optional(v.boolean()),
          }),
        ]),
      ),
    }),
  ),
  tools: optional(v.array(v.looseObject({ type: v.string() }))),
  tool_choice: optional(v.union([v.picklist(["none", "auto", "required"]), v.looseObject({ type: v.string() })])),
  parallel_tool_calls: optional(v.boolean()),
  metadata: optional(v.record(v.string(), v.string())),
  user: optional(v.string()),
  safety_identifier: optional(v.string()),
});
export type ResponsesRequest = v.InferOutput<typeof ResponsesRequestSchema>;
export type InputItem = v.InferOutput<typeof item>;

/** Validates a Responses body; the first problem names its field, in OpenAI's error shape. */
export function parseResponsesRequest(body: unknown): ResponsesRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ApiError(400, "the request body must be a JSON object");
  const result = v.safeParse(ResponsesRequestSchema, body);
  if (result.success) return result.output;
  const param = issuePath(deepestIssue(result.issues[0])) || undefined;
  throw new ApiError(400, describeIssues(result.issues, "the request body"), param ? { param } : {});
}
