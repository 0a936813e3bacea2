/**
 * Token counts read from upstream answers as they pass, for /metrics: from a whole JSON answer's `usage`, and from a
 * stream's `message_start` (input, cache) and `message_delta` (cumulative output) events, without buffering the
 * stream — a chunk is only looked into when it holds one of those two event names (a native byte search).
 */

export interface TokenUsage {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
}

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

const decoder = new TextDecoder();
const USAGE_KEY = Buffer.from('"usage"');
const MESSAGE_START = Buffer.from("message_start");
const MESSAGE_DELTA = Buffer.from("message_delta");

/** The JSON object that starts at `from` in `text` (strings skipped), or undefined. */
function objectAt(text: string, from: number): unknown {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      try {
        return JSON.parse(text.slice(from, i + 1));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

const merge = (into: TokenUsage, usage: AnthropicUsage, output: "add" | "replace") => {
  if (typeof usage.input_tokens === "number") into.input = usage.input_tokens;
  if (typeof usage.cache_read_input_tokens === "number") into.cache_read = usage.cache_read_input_tokens;
  if (typeof usage.cache_creation_input_tokens === "number") into.cache_write = usage.cache_creation_input_tokens;
  if (typeof usage.output_tokens === "number") into.output = output === "add" ? into.output + usage.output_tokens : usage.output_tokens;
};

/** The `usage` of a whole Messages answer (the last "usage" key: the message's own, after its content). */
export function usageOfJson(bytes: Uint8Array): TokenUsage | undefined {
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).lastIndexOf(USAGE_KEY);
  if (at === -1) return undefined;
  const text = decoder.decode(bytes.subarray(at));
  const usage = objectAt(text, text.indexOf("{"));
  if (typeof usage !== "object" || usage === null) return undefined;
  const total: TokenUsage = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
  merge(total, usage as AnthropicUsage, "replace");
  return total;
}

/** Feeds whole SSE events (the stream guard hands them over); `result()` is the answer's usage so far. */
export function createStreamUsageMeter() {
  let usage: TokenUsage | undefined;
  return {
    feed(bytes: Uint8Array): void {
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (buffer.indexOf(MESSAGE_START) === -1 && buffer.indexOf(MESSAGE_DELTA) === -1) return;
      for (const event of decoder.decode(bytes).split("\n\n")) {
        const name = /^event: (message_start|message_delta)$/m.exec(event)?.[1];
        if (!name) continue;
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (!data) continue;
        try {
          const parsed = JSON.parse(data) as { message?: { usage?: AnthropicUsage }; usage?: AnthropicUsage };
          usage ??= { input: 0, output: 0, cache_read: 0, cache_write: 0 };
          // message_delta's usage is cumulative (docs/PROTOCOL.md §3): it replaces, never adds.
          const found = name === "message_start" ? parsed.message?.usage : parsed.usage;
          if (found) merge(usage, found, "replace");
        } catch {
          // not JSON: the client sees it as it is; there is nothing to count
        }
      }
    },
    result: () => usage,
  };
}
