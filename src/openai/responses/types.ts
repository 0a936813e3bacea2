/**
 * What the Responses translators share (docs/PROTOCOL.md §7; the `openai` package's resources/responses/*.d.ts is the
 * reference for shapes). The request translator makes a ResponsesContext; the response and stream translators use it
 * to write the answer.
 */
import type { ThinkingBlock } from "../thinking-cache.ts";

/** How an Anthropic tool name maps back to what the client declared. */
export interface ToolOrigin {
  /** The name the client gave the tool (inside its namespace, if any). */
  name: string;
  /** The `namespace` tool it was declared in (Codex groups its multi-agent tools this way). */
  namespace?: string;
  /** function → `function_call` items with JSON `arguments`; custom → `custom_tool_call` items with free-form `input`. */
  kind: "function" | "custom";
}

export interface ResponsesContext {
  /** "resp_…", made by the route (the store keys on it). */
  id: string;
  /** Unix seconds. */
  createdAt: number;
  /** The model the request went to (used when the answer does not name one). */
  model: string;
  /** Anthropic tool name → the client's tool. */
  tools: ReadonlyMap<string, ToolOrigin>;
  /** Seals thinking blocks into a reasoning item's `encrypted_content`; absent: the client did not ask for it. */
  sealReasoning?: (blocks: readonly ThinkingBlock[]) => string;
  /** Fields of the request echoed in the Response object (instructions, tools, tool_choice, metadata, …). */
  echo: Record<string, unknown>;
}
