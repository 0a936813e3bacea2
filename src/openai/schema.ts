/**
 * The OpenAI Chat Completions request, as far as maximize relies on it. Objects are loose: fields we do not
 * translate (seed, logprobs, …) pass validation and are ignored, never refused.
 * Every optional field accepts null as well, as the OpenAI API and SDK do.
 */
import * as v from "valibot";
import { ApiError } from "../shared/errors.ts";
import { deepestIssue, describeIssues, issuePath } from "../shared/issues.ts";

const text = v.string();
const optional = <T extends v.GenericSchema>(schema: T) => v.nullish(schema);

const TextPart = v.looseObject({ type: v.literal("text"), text });
const RefusalPart = v.looseObject({ type: v.literal("refusal"), refusal: text });
const ImagePart = v.looseObject({
  type: v.literal("image_url"),
  image_url: v.looseObject({ url: text, detail: optional(v.string()) }),
});
const AudioPart = v.looseObject({ type: v.literal("input_audio"), input_audio: v.unknown() });
const FilePart = v.looseObject({
  type: v.literal("file"),
  file: v.looseObject({ file_data: optional(v.string()), file_id: optional(v.string()), filename: optional(v.string()) }),
});

const UserPart = v.variant("type", [TextPart, ImagePart, AudioPart, FilePart]);
export type UserPart = v.InferOutput<typeof UserPart>;

const FunctionCall = v.looseObject({ name: text, arguments: optional(v.string()) });
const ToolCall = v.variant("type", [
  v.looseObject({ type: v.literal("function"), id: text, function: FunctionCall }),
  v.looseObject({ type: v.literal("custom"), id: text, custom: v.looseObject({ name: text, input: v.string() }) }),
]);
export type ToolCall = v.InferOutput<typeof ToolCall>;

/** system and developer messages: a string or text parts. */
const InstructionMessage = v.looseObject({
  role: v.picklist(["system", "developer"]),
  content: v.union([text, v.array(TextPart)]),
});
const UserMessage = v.looseObject({
  role: v.literal("user"),
  content: v.union([text, v.array(UserPart)]),
});
const AssistantMessage = v.looseObject({
  role: v.literal("assistant"),
  content: optional(v.union([text, v.array(v.variant("type", [TextPart, RefusalPart]))])),
  refusal: optional(v.string()),
  tool_calls: optional(v.array(ToolCall)),
  function_call: optional(FunctionCall),
});
const ToolMessage = v.looseObject({
  role: v.literal("tool"),
  tool_call_id: text,
  content: v.union([text, v.array(TextPart)]),
});
/** The legacy answer to a `function_call`. */
const FunctionMessage = v.looseObject({
  role: v.literal("function"),
  name: text,
  content: optional(v.string()),
});

const Message = v.variant("role", [InstructionMessage, UserMessage, AssistantMessage, ToolMessage, FunctionMessage]);
export type ChatMessage = v.InferOutput<typeof Message>;

const FunctionDefinition = v.looseObject({
  name: text,
  description: optional(v.string()),
  parameters: optional(v.record(v.string(), v.unknown())),
});
export type FunctionDefinition = v.InferOutput<typeof FunctionDefinition>;

const Tool = v.variant("type", [
  v.looseObject({ type: v.literal("function"), function: FunctionDefinition }),
  v.looseObject({ type: v.literal("custom"), custom: v.looseObject({ name: text, description: optional(v.string()) }) }),
]);

const NamedFunction = v.looseObject({ type: v.literal("function"), function: v.looseObject({ name: text }) });
const ToolChoice = v.union([
  v.picklist(["none", "auto", "required"]),
  v.variant("type", [
    NamedFunction,
    v.looseObject({ type: v.literal("custom"), custom: v.looseObject({ name: text }) }),
    v.looseObject({
      type: v.literal("allowed_tools"),
      allowed_tools: v.looseObject({ mode: v.picklist(["auto", "required"]), tools: v.array(v.unknown()) }),
    }),
  ]),
]);
export type ToolChoice = v.InferOutput<typeof ToolChoice>;

const tokenCount = v.pipe(v.number(), v.integer(), v.minValue(1));

export const REASONING_EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh", "max"] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

const ChatRequestSchema = v.looseObject({
  model: optional(v.string()),
  messages: v.pipe(v.array(Message), v.minLength(1, "messages must hold at least one message")),
  stream: optional(v.boolean()),
  stream_options: optional(v.looseObject({ include_usage: optional(v.boolean()) })),
  n: optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  max_completion_tokens: optional(tokenCount),
  max_tokens: optional(tokenCount),
  temperature: optional(v.pipe(v.number(), v.minValue(0), v.maxValue(2))),
  top_p: optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  stop: optional(v.union([v.string(), v.array(v.string())])),
  user: optional(v.string()),
  safety_identifier: optional(v.string()),
  reasoning_effort: optional(v.picklist(REASONING_EFFORTS)),
  tools: optional(v.array(Tool)),
  tool_choice: optional(ToolChoice),
  parallel_tool_calls: optional(v.boolean()),
  functions: optional(v.array(FunctionDefinition)),
  function_call: optional(v.union([v.picklist(["none", "auto"]), v.looseObject({ name: text })])),
  response_format: optional(
    v.variant("type", [
      v.looseObject({ type: v.literal("text") }),
      v.looseObject({ type: v.literal("json_object") }),
      v.looseObject({
        type: v.literal("json_schema"),
        json_schema: v.looseObject({
          name: optional(v.string()),
          schema: optional(v.record(v.string(), v.unknown())),
          strict: optional(v.boolean()),
        }),
      }),
    ]),
  ),
});
export type ChatRequest = v.InferOutput<typeof ChatRequestSchema>;

/**
 * Validates a Chat Completions body. Anything invalid is a 400 in which the first problem names its field,
 * e.g. `messages[2].role must be one of "system", … (got "robot")` (shared/issues.ts).
 */
export function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError(400, "the request body must be a JSON object");
  }
  const result = v.safeParse(ChatRequestSchema, body);
  if (result.success) return result.output;
  const param = issuePath(deepestIssue(result.issues[0])) || undefined;
  return badRequest(describeIssues(result.issues, "the request body"), param);
}

export function badRequest(message: string, param?: string): never {
  throw new ApiError(400, message, param ? { param } : {});
}
