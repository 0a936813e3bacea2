import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenStore } from "../../src/auth/store.ts";
import { startBinary, type ServingBinary } from "../support/binary.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";

const CONCURRENT = 1000;

let fake: FakeAnthropic;
let server: ServingBinary["child"];
let url: string;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  const dir = mkdtempSync(join(tmpdir(), "maximize-load-"));
  createTokenStore(join(dir, "tokens.json")).write(fake.issueTokens());
  const started = await startBinary({
    upstreamUrl: fake.url,
    tokenFile: join(dir, "tokens.json"),
    home: dir,
    env: { MAXIMIZE_LOG_LEVEL: "warn" },
  });
  server = started.child;
  url = started.url;
});
afterAll(async () => {
  server?.kill("SIGKILL");
  await fake?.close();
});

type Result = { i: number; status?: number; names?: string[]; text?: string; error?: string };

describe("load", () => {
  test(`${CONCURRENT} concurrent streams through the binary: each client gets its own complete, ordered event sequence`, async () => {
    const client = Bun.spawn([process.execPath, join(import.meta.dir, "../support/load-client.ts"), url, String(CONCURRENT)], {
      env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "4096" },
      stdout: "pipe",
      stderr: "inherit",
    });
    const results = JSON.parse(await new Response(client.stdout).text()) as Result[];
    expect(await client.exited).toBe(0);
    expect(results).toHaveLength(CONCURRENT);
    const wrong = results.filter(
      ({ i, status, names, text }) =>
        status !== 200 ||
        text !== `Hello from claude-sonnet-5-5! You said: client-${i}` ||
        names?.[0] !== "message_start" ||
        names.at(-1) !== "message_stop" ||
        names.includes("error"),
    );
    expect(wrong).toEqual([]);
    expect(fake.activeStreams).toBe(0);
  }, 120_000);
});
