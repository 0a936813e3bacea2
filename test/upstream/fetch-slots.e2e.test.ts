/**
 * The fetch slots of event streams (withOverflow) are freed by upstream.ts: by the stream guard when a stream ends,
 * and where an answer is dropped unread (a 401 answered as a stream, then retried). A leak would send every later
 * request through the slower overflow client.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCredentials } from "../../src/auth/credentials.ts";
import { createTokenStore } from "../../src/auth/store.ts";
import { loadConfig } from "../../src/config/load.ts";
import type { Fetch } from "../../src/shared/http.ts";
import { withOverflow } from "../../src/upstream/http-client.ts";
import { createUpstream } from "../../src/upstream/upstream.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());

/** An upstream client whose fetch has one slot; `used` says which fetch took each request. */
function oneSlotUpstream() {
  const dir = mkdtempSync(join(tmpdir(), "maximize-slots-"));
  const tokenFile = join(dir, "tokens.json");
  createTokenStore(tokenFile).write(fake.issueTokens());
  const config = loadConfig({
    cwd: dir,
    env: { HOME: dir, MAXIMIZE_TOKEN_FILE: tokenFile, MAXIMIZE_UPSTREAM_URL: fake.url, MAXIMIZE_OAUTH_TOKEN_URL: fake.tokenUrl },
  });
  const used: string[] = [];
  const tagged =
    (name: string): Fetch =>
    (input, init) => {
      used.push(name);
      return fetch(input, init);
    };
  const upstream = createUpstream({
    config,
    credentials: createCredentials(config, fetch),
    fetch: withOverflow(tagged("primary"), tagged("overflow"), 1),
  });
  const stream = () =>
    upstream.send({
      path: "/v1/messages",
      body: { model: "claude-sonnet-5-5", max_tokens: 16, stream: true, messages: [{ role: "user", content: "hi" }] },
      clientHeaders: new Headers(),
    });
  return { upstream, used, stream };
}

test("a stream read to its end frees its slot: the next request takes the primary fetch again", async () => {
  const { used, stream } = oneSlotUpstream();
  const first = await stream();
  expect(await first.text()).toContain("message_stop");
  await (await stream()).text();
  expect(used).toEqual(["primary", "primary"]);
});

test("a stream cancelled by its reader frees its slot", async () => {
  const { used, stream } = oneSlotUpstream();
  const first = await stream();
  await first.body?.cancel();
  await (await stream()).text();
  expect(used).toEqual(["primary", "primary"]);
});

test("a 401 answered as an event stream, dropped for a retry, frees its slot", async () => {
  const { used, stream } = oneSlotUpstream();
  // The token is refused once (as a stream, which Anthropic does not do but a proxy in between might): refresh, retry.
  fake.fault({ status: 401, headers: { "content-type": "text/event-stream" }, body: "event: error\ndata: {}\n\n" });
  const retried = await stream();
  expect(retried.status).toBe(200);
  await retried.text();
  await (await stream()).text();
  // The 401 and its retry, then the next request: all through the one primary slot.
  expect(used).toEqual(["primary", "primary", "primary"]);
});
