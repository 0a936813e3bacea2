/**
 * Anthropic Messages response → OpenAI chat completion (docs/PROTOCOL.md §5). Pure. The pieces shared with the stream
 * translator (finish_reason, usage, ids) live here so streaming and non-streaming answers can never disagree.
 */

/** What we read of an Anthropic content block; upstream JSON is not trusted to be well-typed. */
export interface AnthropicContentBlock {
  type: string;
  text?: string;
  thinking?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export interface AnthropicMessage {
  id?: string;
  model?: string;
  content?: AnthropicContentBlock[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

export interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

export interface ChatCompletionMessage {
  role: "assistant";
  content: string | null;
  refusal: null;
  /** The model's thinking (DeepSeek's field name, which most OpenAI-compatible clients read). */
  reasoning_content?: string;
  tool_calls?: ChatToolCall[];
  function_call?: { name: string; arguments: string };
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: [{ index: 0; message: ChatCompletionMessage; logprobs: null; finish_reason: FinishReason }];
  usage: ChatUsage;
}

export interface ResponseOptions {
  /** The model the request went to: used when the answer does not name the model that answered. */
  model: string;
  /** The client used legacy `functions`: answer with `function_call` and finish_reason "function_call". */
  legacyFunctions?: boolean;
}

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

/** Anthropic stop_reason → OpenAI finish_reason: the one mapping, for streams and whole answers alike. */
export function finishReason(stopReason: string | null | undefined, legacyFunctions = false): FinishReason {
  const reason = (stopReason && FINISH_REASONS[stopReason]) || "stop";
  return legacyFunctions && reason === "tool_calls" ? "function_call" : reason;
}

/** prompt_tokens counts every input token, cached or not; cached_tokens says how many were cache reads. */
export function chatUsage(usage: AnthropicUsage | undefined): ChatUsage {
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const prompt = (usage?.input_tokens ?? 0) + cacheRead + (usage?.cache_creation_input_tokens ?? 0);
  const completion = usage?.output_tokens ?? 0;
  const reasoning = usage?.output_tokens_details?.thinking_tokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
    ...(typeof reasoning === "number" ? { completion_tokens_details: { reasoning_tokens: reasoning } } : {}),
  };
}

/** `chatcmpl-…` from the Anthropic message id (so logs on both sides line up), random when there is none. */
export function completionId(messageId: string | undefined): string {
  const suffix = messageId?.replace(/^msg_/, "") || crypto.randomUUID().replaceAll("-", "");
  return `chatcmpl-${suffix}`;
}

export const unixSeconds = () => Math.floor(Date.now() / 1000);

/** Tool input as OpenAI's arguments string: always a JSON object text, "{}" when there is none. */
export const argumentsOf = (input: unknown) => JSON.stringify(input ?? {});

export function toChatCompletion(message: AnthropicMessage, opts: ResponseOptions): ChatCompletion {
  const blocks = message.content ?? [];
  const texts = blocks.flatMap((block) => (block.type === "text" && block.text ? [block.text] : []));
  const thinking = blocks.flatMap((block) => (block.type === "thinking" && block.thinking ? [block.thinking] : []));
  const calls: ChatToolCall[] = blocks
    .filter((block) => block.type === "tool_use")
    .map((block, i) => ({
      id: block.id ?? `call_${i}`,
      type: "function",
      function: { name: block.name ?? "", arguments: argumentsOf(block.input) },
    }));

  const chat: ChatCompletionMessage = { role: "assistant", content: texts.length > 0 ? texts.join("") : null, refusal: null };
  if (thinking.length > 0) chat.reasoning_content = thinking.join("\n\n");
  const [first] = calls;
  if (opts.legacyFunctions && first) chat.function_call = first.function;
  if (!opts.legacyFunctions && calls.length > 0) chat.tool_calls = calls;

  return {
    id: completionId(message.id),
    object: "chat.completion",
    created: unixSeconds(),
    model: message.model || opts.model,
    choices: [{ index: 0, message: chat, logprobs: null, finish_reason: finishReason(message.stop_reason, opts.legacyFunctions) }],
    usage: chatUsage(message.usage),
  };
}
