// maximize with the OpenAI TypeScript SDK (openai): Chat Completions, then the Responses API streamed.
// Tested: test/docs/examples.e2e.test.ts runs this file with Bun against a real maximize.
//
//   npm install openai
//   npx tsx openai.ts        (or: bun openai.ts)
//
// The base URL ends in /v1 for OpenAI clients. The API key: any value, or one of your proxy API keys if you
// configured them; maximize never sends it upstream.
import OpenAI from "openai";

const client = new OpenAI({
  baseURL: `${process.env.MAXIMIZE_URL ?? "http://127.0.0.1:8081"}/v1`,
  apiKey: process.env.MAXIMIZE_API_KEY ?? "unused",
});

// "l" is a nickname for the newest large model (`maximize models` lists them); any model ID works too.
const completion = await client.chat.completions.create({
  model: "l",
  messages: [{ role: "user", content: "Hello from OpenAI TypeScript" }],
});
console.log(completion.choices[0]?.message.content);

const chunks = await client.chat.completions.create({
  model: "l",
  messages: [{ role: "user", content: "Hello from OpenAI TypeScript, streamed" }],
  stream: true,
});
for await (const chunk of chunks) process.stdout.write(chunk.choices[0]?.delta.content ?? "");
process.stdout.write("\n");

// The Responses API (what Codex and the Agents SDK use), streamed.
const events = await client.responses.create({ model: "l", input: "Hello from the Responses API", stream: true });
for await (const event of events) if (event.type === "response.output_text.delta") process.stdout.write(event.delta);
process.stdout.write("\n");
