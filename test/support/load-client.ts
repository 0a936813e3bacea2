// Runs N concurrent streaming requests against a maximize URL and prints one JSON line per client.
// A separate process so that its own fetch pool (BUN_CONFIG_MAX_HTTP_REQUESTS, read at start) is its own.
import { parseServerSentEvents } from "../../src/upstream/sse.ts";

const [url, countText] = process.argv.slice(2);
const count = Number(countText);

async function streamOne(i: number) {
  const response = await fetch(`${url}/v1/messages`, {
    method: "POST",
    body: JSON.stringify({ model: "s", max_tokens: 64, stream: true, messages: [{ role: "user", content: `client-${i}` }] }),
  });
  const names: string[] = [];
  let text = "";
  for await (const event of parseServerSentEvents(response.body!)) {
    names.push(event.event);
    const data = JSON.parse(event.data) as { delta?: { type: string; text?: string } };
    if (data.delta?.type === "text_delta") text += data.delta.text;
  }
  return { i, status: response.status, names, text };
}

const results = await Promise.all(Array.from({ length: count }, (_, i) => streamOne(i).catch((e: Error) => ({ i, error: e.message }))));
process.stdout.write(JSON.stringify(results));
