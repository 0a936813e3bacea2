/**
 * Signed thinking blocks kept between the turns of an OpenAI tool loop (docs/PROTOCOL.md §4). Anthropic binds thinking to
 * the conversation: the assistant turn that a tool result answers must come back starting with its thinking blocks,
 * signatures intact. OpenAI clients cannot carry them, so maximize keeps them, keyed by tool-call id, and puts them
 * back in front of the tool calls when the results arrive. Bounded: least recently used out past `maxEntries`, and
 * nothing older than `ttlMs`.
 */
import { createLru } from "../shared/lru.ts";

export type ThinkingBlock = { type: "thinking"; thinking: string; signature: string } | { type: "redacted_thinking"; data: string };

export interface ThinkingCache {
  /** Keeps the thinking of one answer under each of its tool-call ids. */
  remember(toolCallIds: readonly string[], blocks: readonly ThinkingBlock[]): void;
  /** The thinking for a tool call, or undefined when it was never seen, evicted or expired. */
  recall(toolCallId: string): readonly ThinkingBlock[] | undefined;
  readonly size: number;
}

export interface ThinkingCacheOptions {
  maxEntries?: number;
  ttlMs?: number;
  now?: () => number;
  /** Told the entry count after each change (for the /metrics gauge). */
  onSize?: (size: number) => void;
}

export function createThinkingCache(options: ThinkingCacheOptions = {}): ThinkingCache {
  const entries = createLru<readonly ThinkingBlock[]>({
    maxEntries: options.maxEntries ?? 2000,
    ttlMs: options.ttlMs ?? 60 * 60 * 1000,
    now: options.now,
    onSize: options.onSize,
  });
  return {
    remember(toolCallIds, blocks) {
      if (blocks.length === 0) return;
      for (const id of toolCallIds) entries.set(id, blocks);
    },
    recall: (toolCallId) => entries.get(toolCallId),
    get size() {
      return entries.size;
    },
  };
}

type Block = { type?: unknown; id?: unknown; thinking?: unknown; signature?: unknown; data?: unknown };

/** A thinking or redacted_thinking block as it came, or undefined for any other block. */
export function asThinkingBlock(block: Block): ThinkingBlock | undefined {
  if (block.type === "thinking" && typeof block.thinking === "string" && typeof block.signature === "string") {
    return { type: "thinking", thinking: block.thinking, signature: block.signature };
  }
  if (block.type === "redacted_thinking" && typeof block.data === "string") return { type: "redacted_thinking", data: block.data };
  return undefined;
}

export interface AnswerThinking {
  toolCallIds: string[];
  blocks: ThinkingBlock[];
}

/** The thinking blocks and tool-call ids of a whole (non-stream) answer. */
export function thinkingOfAnswer(content: readonly Block[] | undefined): AnswerThinking {
  const blocks = (content ?? []).flatMap((block) => asThinkingBlock(block) ?? []);
  const toolCallIds = (content ?? []).flatMap((block) => (block.type === "tool_use" && typeof block.id === "string" ? [block.id] : []));
  return { toolCallIds, blocks };
}

/** The same, assembled from a stream's events as they pass (thinking and signature deltas, tool_use starts). */
export function createThinkingCollector() {
  const open = new Map<number, { thinking: string; signature: string } | ThinkingBlock>();
  const done: ThinkingBlock[] = [];
  const toolCallIds: string[] = [];
  return {
    event(name: string, data: unknown): void {
      const event = (data ?? {}) as { index?: number; content_block?: Block; delta?: Block };
      const index = event.index ?? -1;
      if (name === "content_block_start") {
        const block = event.content_block ?? {};
        if (block.type === "thinking")
          open.set(index, { thinking: String(block.thinking ?? ""), signature: String(block.signature ?? "") });
        if (block.type === "redacted_thinking" && typeof block.data === "string")
          open.set(index, { type: "redacted_thinking", data: block.data });
        if (block.type === "tool_use" && typeof block.id === "string") toolCallIds.push(block.id);
        return;
      }
      const current = open.get(index);
      if (!current || "type" in current) {
        if (name === "content_block_stop" && current) done.push(current);
        if (name === "content_block_stop") open.delete(index);
        return;
      }
      if (name === "content_block_delta" && event.delta?.type === "thinking_delta") current.thinking += String(event.delta.thinking ?? "");
      if (name === "content_block_delta" && event.delta?.type === "signature_delta")
        current.signature += String(event.delta.signature ?? "");
      if (name === "content_block_stop") {
        done.push({ type: "thinking", ...current });
        open.delete(index);
      }
    },
    result: (): AnswerThinking => ({ toolCallIds, blocks: done }),
  };
}
