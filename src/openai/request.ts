/**
 * OpenAI Chat Completions request → Anthropic Messages request (docs/PROTOCOL.md §5). Pure: no I/O, no config.
 * The model stays as the client named it (the route resolves nicknames once, for both this and the upstream call),
 * and no Claude Code identity is added here either.
 */
import {
  type AnthropicBlock,
  type AnthropicMessageParam,
  type AnthropicRequestBody,
  type AnthropicTool,
  type AnthropicToolChoice,
  applyGeneration,
  bindThinking,
  defaultMaxTokens,
  fileBlock,
  fitToolChoice,
  imageSource,
  jsonSchemaFormat,
  parseArguments,
  restoreThinking,
  type TranslateOptions,
  textBlock,
  toolId,
} from "./anthropic-body.ts";
import {
  badRequest,
  parseChatRequest,
  type ChatMessage,
  type ChatRequest,
  type FunctionDefinition,
  type ToolCall,
  type UserPart,
} from "./schema.ts";

export type { AnthropicRequestBody, TranslateOptions } from "./anthropic-body.ts";
export { defaultMaxTokens } from "./anthropic-body.ts";

export function toAnthropicRequest(body: unknown, options: TranslateOptions = {}): AnthropicRequestBody {
  return fromChatRequest(parseChatRequest(body), options);
}

/** True when the client uses the legacy `functions` API (and so expects `function_call` back, not `tool_calls`). */
export function usesLegacyFunctions(chat: ChatRequest): boolean {
  return !chat.tools?.length && (chat.functions?.length ?? 0) > 0;
}

export function fromChatRequest(chat: ChatRequest, options: TranslateOptions = {}): AnthropicRequestBody {
  if (chat.n != null && chat.n > 1) {
    badRequest(
      `n: ${chat.n} is not supported: Claude returns one choice per request; omit n (or send 1) and send several requests instead`,
      "n",
    );
  }
  const legacy = usesLegacyFunctions(chat);
  const messages = conversation(chat.messages);
  const binding = bindThinking(messages, restoreThinking(messages, options.recallThinking), options);
  const tools = legacy ? legacyTools(chat.functions ?? []) : toolsOf(chat);
  const asked = tools.length > 0 ? toolChoiceOf(chat, legacy) : undefined;
  const { toolChoice, instruction } = fitToolChoice(asked, options);
  const family = options.model ?? chat.model ?? "";
  const modelLimit = options.modelInfo?.max_tokens;

  const body: AnthropicRequestBody = {
    ...(chat.model ? { model: chat.model } : {}),
    max_tokens: chat.max_completion_tokens ?? chat.max_tokens ?? defaultMaxTokens(family, modelLimit ?? undefined),
    messages,
  };
  const system = [systemPrompt(chat.messages), instruction].filter(Boolean).join("\n\n");
  if (system) body.system = system;
  if (chat.stream) body.stream = true;
  const stop = typeof chat.stop === "string" ? [chat.stop] : (chat.stop ?? []);
  if (stop.some((s) => s !== "")) body.stop_sequences = stop.filter((s) => s !== "");
  const user = chat.user || chat.safety_identifier;
  if (user) body.metadata = { user_id: user };
  if (tools.length > 0) body.tools = allowedTools(tools, chat);
  if (toolChoice) body.tool_choice = toolChoice;
  return applyGeneration(
    body,
    {
      effort: chat.reasoning_effort ?? undefined,
      temperature: chat.temperature,
      top_p: chat.top_p,
      format: outputFormat(chat.response_format, options.note),
      binding,
    },
    options,
  );
}

/**
 * response_format → Anthropic's structured output: a json_schema (adapted to what Anthropic accepts) as is, and
 * json_object as a schema that asks for any object; text asks for nothing.
 */
function outputFormat(format: ChatRequest["response_format"], note?: (message: string) => void) {
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_schema" as const, schema: { type: "object" } };
  return jsonSchemaFormat(format.json_schema.schema ?? undefined, format.json_schema.name ?? undefined, note);
}

// ---------------------------------------------------------------------------------------------------------------
// messages

/** system and developer messages, wherever they appear, joined into the top-level system prompt. */
function systemPrompt(messages: ChatMessage[]): string {
  return messages
    .flatMap((message) => (message.role === "system" || message.role === "developer" ? [textOf(message.content)] : []))
    .filter((text) => text.trim() !== "")
    .join("\n\n");
}

function textOf(content: string | readonly { text: string }[] | null | undefined): string {
  if (content == null) return "";
  return typeof content === "string" ? content : content.map((part) => part.text).join("\n");
}

/**
 * The conversation as Anthropic turns: consecutive messages of one role merged (so consecutive `tool` messages
 * become one user turn of tool_results), tool_results first in their turn as Anthropic requires, empty turns dropped.
 */
function conversation(messages: ChatMessage[]): AnthropicMessageParam[] {
  const turns: AnthropicMessageParam[] = [];
  const legacyCalls: { name: string; id: string }[] = [];
  messages.forEach((message, i) => {
    const turn = turnOf(message, i, legacyCalls);
    if (!turn || turn.content.length === 0) return;
    const previous = turns.at(-1);
    if (previous?.role === turn.role) previous.content.push(...turn.content);
    else turns.push(turn);
  });
  for (const turn of turns) {
    if (turn.role !== "user") continue;
    const results = turn.content.filter((block) => block.type === "tool_result");
    if (results.length > 0) turn.content = [...results, ...turn.content.filter((block) => block.type !== "tool_result")];
  }
  return turns;
}

function turnOf(message: ChatMessage, i: number, legacyCalls: { name: string; id: string }[]): AnthropicMessageParam | undefined {
  switch (message.role) {
    case "system":
    case "developer":
      return undefined;
    case "user":
      return {
        role: "user",
        content:
          typeof message.content === "string"
            ? textBlock(message.content)
            : message.content.flatMap((part, j) => userPart(part, `messages[${i}].content[${j}]`)),
      };
    case "assistant": {
      const content =
        typeof message.content === "string" || message.content == null
          ? textBlock(message.content ?? "")
          : message.content.flatMap((part) => textBlock(part.type === "text" ? part.text : part.refusal));
      const calls = (message.tool_calls ?? []).map((call, j) => toolUse(call, `messages[${i}].tool_calls[${j}]`));
      if (message.function_call) {
        const id = `call_legacy_${i}`;
        legacyCalls.push({ name: message.function_call.name, id });
        const input = parseArguments(message.function_call.arguments, `messages[${i}].function_call.arguments`);
        calls.push({ type: "tool_use", id, name: message.function_call.name, input });
      }
      return { role: "assistant", content: [...content, ...calls] };
    }
    case "tool":
      return {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: toolId(message.tool_call_id), content: textOf(message.content) }],
      };
    case "function": {
      const at = legacyCalls.findIndex((call) => call.name === message.name);
      const call = at === -1 ? undefined : legacyCalls.splice(at, 1)[0];
      if (!call)
        badRequest(
          `messages[${i}]: a function message for ${JSON.stringify(message.name)} with no assistant function_call before it`,
          `messages[${i}]`,
        );
      return { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: message.content ?? "" }] };
    }
  }
}

function toolUse(call: ToolCall, param: string): AnthropicBlock {
  if (call.type === "custom") badRequest(`${param}: custom tool calls are not supported; use function tools`, `${param}.type`);
  return {
    type: "tool_use",
    id: toolId(call.id),
    name: call.function.name,
    input: parseArguments(call.function.arguments, `${param}.function.arguments`),
  };
}

function userPart(part: UserPart, param: string): AnthropicBlock[] {
  switch (part.type) {
    case "text":
      return textBlock(part.text);
    case "image_url":
      return [{ type: "image", source: imageSource(part.image_url.url, `${param}.image_url.url`) }];
    case "file":
      return [fileBlock(part.file, `${param}.file`)];
    case "input_audio":
      return badRequest(`${param}: audio input is not supported by Claude`, `${param}.type`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// tools

function toolDefinition(fn: FunctionDefinition): AnthropicTool {
  const parameters = fn.parameters ?? {};
  return {
    name: fn.name,
    ...(fn.description ? { description: fn.description } : {}),
    // Anthropic needs an object schema; OpenAI allows omitting it for a function without parameters.
    input_schema: { ...parameters, type: parameters.type ?? "object", ...(parameters.properties ? {} : { properties: {} }) },
  };
}

function toolsOf(chat: ChatRequest): AnthropicTool[] {
  return (chat.tools ?? []).map((tool, i) => {
    if (tool.type === "custom") badRequest(`tools[${i}]: custom tools are not supported; use function tools`, `tools[${i}].type`);
    return toolDefinition(tool.function);
  });
}

const legacyTools = (functions: FunctionDefinition[]) => functions.map(toolDefinition);

/** `tool_choice: {type:"allowed_tools"}` narrows the tool list sent upstream. */
function allowedTools(tools: AnthropicTool[], chat: ChatRequest): AnthropicTool[] {
  const choice = chat.tool_choice;
  if (typeof choice !== "object" || choice === null || choice.type !== "allowed_tools") return tools;
  const names = new Set(
    choice.allowed_tools.tools.flatMap((tool) => {
      const name = (tool as { function?: { name?: unknown } } | null)?.function?.name;
      return typeof name === "string" ? [name] : [];
    }),
  );
  return tools.filter((tool) => names.has(tool.name));
}

function toolChoiceOf(chat: ChatRequest, legacy: boolean): AnthropicToolChoice | undefined {
  const choice = legacy ? legacyChoice(chat.function_call) : modernChoice(chat.tool_choice);
  // Legacy function calling answers with one function_call, so one tool use at most.
  const single = legacy || chat.parallel_tool_calls === false;
  if (!single || choice?.type === "none") return choice;
  return { ...(choice ?? { type: "auto" }), disable_parallel_tool_use: true };
}

function legacyChoice(choice: ChatRequest["function_call"]): AnthropicToolChoice | undefined {
  if (choice == null) return undefined;
  if (typeof choice === "string") return { type: choice };
  return { type: "tool", name: choice.name };
}

function modernChoice(choice: ChatRequest["tool_choice"]): AnthropicToolChoice | undefined {
  if (choice == null) return undefined;
  if (choice === "required") return { type: "any" };
  if (typeof choice === "string") return { type: choice };
  if (choice.type === "function") return { type: "tool", name: choice.function.name };
  if (choice.type === "allowed_tools") return { type: choice.allowed_tools.mode === "required" ? "any" : "auto" };
  return badRequest("tool_choice: custom tools are not supported; use function tools", "tool_choice");
}
