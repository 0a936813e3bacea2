import { expect, test } from "bun:test";
import { createStreamUsageMeter, usageOfJson } from "../../src/upstream/usage-meter.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

test("a whole answer: its own usage (the last one), even after content that mentions usage", () => {
  const message = {
    id: "msg_1",
    content: [{ type: "text", text: 'a "usage": {"input_tokens": 999} inside text' }],
    usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 3, cache_creation_input_tokens: 2, service_tier: "standard" },
  };
  expect(usageOfJson(bytes(JSON.stringify(message)))).toEqual({ input: 10, output: 5, cache_read: 3, cache_write: 2 });
  expect(usageOfJson(bytes('{"id":"x"}'))).toBeUndefined();
});

test("a stream: message_start gives input and cache, message_delta the cumulative output; other chunks are not read", () => {
  const meter = createStreamUsageMeter();
  const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  meter.feed(
    bytes(
      event("message_start", {
        type: "message_start",
        message: { usage: { input_tokens: 20, output_tokens: 1, cache_read_input_tokens: 30, cache_creation_input_tokens: 4 } },
      }),
    ),
  );
  meter.feed(bytes(event("content_block_delta", { type: "content_block_delta", delta: { type: "text_delta", text: "message_delta" } })));
  meter.feed(
    bytes(
      event("message_delta", { type: "message_delta", usage: { output_tokens: 7 } }) +
        event("message_delta", { type: "message_delta", usage: { output_tokens: 9 } }),
    ),
  );
  expect(meter.result()).toEqual({ input: 20, output: 9, cache_read: 30, cache_write: 4 });
  expect(createStreamUsageMeter().result()).toBeUndefined();
});
