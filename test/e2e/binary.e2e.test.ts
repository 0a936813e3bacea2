import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenStore } from "../../src/auth/store.ts";
import pkg from "../../package.json" with { type: "json" };
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { requireBinary, startBinary, type ServingBinary } from "../support/binary.ts";

let fake: FakeAnthropic;
let server: ServingBinary["child"];
let baseURL: string;
let tokenFile: string;
let issued: ReturnType<FakeAnthropic["issueTokens"]>;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  const dir = mkdtempSync(join(tmpdir(), "maximize-bin-"));
  tokenFile = join(dir, "tokens.json");
  // Expiring soon: the binary must refresh it through the configured token endpoint.
  issued = fake.issueTokens({ expiresIn: 60 });
  createTokenStore(tokenFile).write(issued);
  const started = await startBinary({ upstreamUrl: fake.url, tokenUrl: fake.tokenUrl, tokenFile, home: dir, args: ["--debug"] });
  server = started.child;
  baseURL = started.url;
});

afterAll(async () => {
  server?.kill("SIGKILL");
  await fake?.close();
});

describe("the compiled binary: dist/maximize serve", () => {
  test("--version prints the package version", () => {
    const result = Bun.spawnSync([requireBinary(), "--version"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString().trim()).toBe(pkg.version);
  });

  test("non-stream and stream requests with the official SDK; the token is refreshed and stored 0600", async () => {
    const client = new Anthropic({ apiKey: "dummy", baseURL, maxRetries: 0 });
    const message = await client.messages.create({ model: "l", max_tokens: 32, messages: [{ role: "user", content: "Hi" }] });
    expect(message.model).toBe("claude-sonnet-5-5");
    expect(message.content[0]).toMatchObject({ type: "text", text: "Hello from claude-sonnet-5-5! You said: Hi" });

    const streamed = await client.messages
      .stream({ model: "l", max_tokens: 32, messages: [{ role: "user", content: "Hi" }] })
      .finalMessage();
    expect(streamed.content as unknown[]).toEqual(message.content);

    expect(fake.refreshCalls).toBe(1);
    const stored = createTokenStore(tokenFile).read()!;
    expect(stored.access_token).not.toBe(issued.access_token);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  });

  test("SIGTERM: exits 0, and the debug log held no token", async () => {
    server.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    const log = await new Response(server.stderr).text();
    expect(log).toContain("listening on");
    // One access-log line per request: the whole answer, then the stream once it had ended.
    expect(log).toMatch(/ INFO +POST \/v1\/messages 200 model=l→claude-sonnet-5-5 \d+ms\n/);
    expect(log).toMatch(/ INFO +POST \/v1\/messages 200 model=l→claude-sonnet-5-5 headers \d+ms total \S+ stream completed\n/);
    const stored = createTokenStore(tokenFile).read()!;
    for (const secret of [issued.access_token, issued.refresh_token, stored.access_token, stored.refresh_token!]) {
      expect(log).not.toContain(secret);
    }
  });
});
