import { describe, expect, test } from "bun:test";
import { createThinkingCache, createThinkingCollector, thinkingOfAnswer, type ThinkingBlock } from "../../src/openai/thinking-cache.ts";

const block = (text: string): ThinkingBlock => ({ type: "thinking", thinking: text, signature: `sig-${text}` });

describe("the cache", () => {
  test("remembers under every tool-call id of an answer", () => {
    const cache = createThinkingCache();
    cache.remember(["a", "b"], [block("x")]);
    expect(cache.recall("a")).toEqual([block("x")]);
    expect(cache.recall("b")).toEqual([block("x")]);
    expect(cache.recall("c")).toBeUndefined();
  });

  test("an answer without thinking is not kept", () => {
    const cache = createThinkingCache();
    cache.remember(["a"], []);
    expect(cache.size).toBe(0);
  });

  test("least recently used goes first past maxEntries; the size is reported", () => {
    const sizes: number[] = [];
    const cache = createThinkingCache({ maxEntries: 2, onSize: (n) => sizes.push(n) });
    cache.remember(["a"], [block("1")]);
    cache.remember(["b"], [block("2")]);
    cache.recall("a"); // a is now the most recent
    cache.remember(["c"], [block("3")]);
    expect(cache.recall("b")).toBeUndefined();
    expect(cache.recall("a")).toBeDefined();
    expect(cache.recall("c")).toBeDefined();
    expect(sizes).toEqual([1, 2, 2]);
  });

  test("nothing older than ttlMs", () => {
    let now = 0;
    const cache = createThinkingCache({ ttlMs: 1000, now: () => now });
    cache.remember(["a"], [block("1")]);
    now = 999;
    expect(cache.recall("a")).toBeDefined();
    now = 1001;
    expect(cache.recall("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe("reading thinking from answers", () => {
  const content = [
    { type: "thinking", thinking: "Hmm.", signature: "sig1" },
    { type: "redacted_thinking", data: "opaque" },
    { type: "text", text: "Calling." },
    { type: "tool_use", id: "toolu_1", name: "f", input: {} },
    { type: "tool_use", id: "toolu_2", name: "g", input: {} },
  ];
  const expected = {
    toolCallIds: ["toolu_1", "toolu_2"],
    blocks: [
      { type: "thinking", thinking: "Hmm.", signature: "sig1" },
      { type: "redacted_thinking", data: "opaque" },
    ],
  };

  test("a whole answer", () => {
    expect(thinkingOfAnswer(content)).toEqual(expected as never);
  });

  test("a stream, event by event, gives the same", () => {
    const collector = createThinkingCollector();
    const events: [string, unknown][] = [
      ["message_start", { message: {} }],
      ["content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }],
      ["content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "Hm" } }],
      ["content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "m." } }],
      ["content_block_delta", { index: 0, delta: { type: "signature_delta", signature: "sig1" } }],
      ["content_block_stop", { index: 0 }],
      ["content_block_start", { index: 1, content_block: { type: "redacted_thinking", data: "opaque" } }],
      ["content_block_stop", { index: 1 }],
      ["content_block_start", { index: 2, content_block: { type: "text", text: "" } }],
      ["content_block_stop", { index: 2 }],
      ["content_block_start", { index: 3, content_block: { type: "tool_use", id: "toolu_1", name: "f", input: {} } }],
      ["content_block_stop", { index: 3 }],
      ["content_block_start", { index: 4, content_block: { type: "tool_use", id: "toolu_2", name: "g", input: {} } }],
      ["content_block_stop", { index: 4 }],
      ["message_stop", {}],
    ];
    for (const [name, data] of events) collector.event(name, data);
    expect(collector.result()).toEqual(expected as never);
  });
});
