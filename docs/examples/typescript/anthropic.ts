// maximize with the Anthropic TypeScript SDK (@anthropic-ai/sdk): one message, then the same streamed.
// Tested: test/docs/examples.e2e.test.ts runs this file with Bun against a real maximize.
//
//   npm install @anthropic-ai/sdk
//   npx tsx anthropic.ts        (or: bun anthropic.ts)
//
// MAXIMIZE_URL defaults to http://127.0.0.1:8081 (no /v1: the SDK adds it). The API key: any value, or one of your
// proxy API keys if you configured them; maximize never sends it upstream.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic({
  baseURL: process.env.MAXIMIZE_URL ?? "http://127.0.0.1:8081",
  apiKey: process.env.MAXIMIZE_API_KEY ?? "unused",
});

// "l" is a nickname for the newest large model (`maximize models` lists them); any model ID works too.
const message = await client.messages.create({
  model: "l",
  max_tokens: 1024,
  messages: [{ role: "user", content: "Hello from TypeScript" }],
});
for (const block of message.content) if (block.type === "text") console.log(block.text);

const stream = client.messages.stream({
  model: "l",
  max_tokens: 1024,
  messages: [{ role: "user", content: "Hello from TypeScript, streamed" }],
});
stream.on("text", (text) => process.stdout.write(text));
await stream.finalMessage();
process.stdout.write("\n");
