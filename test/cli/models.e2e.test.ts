import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeSecretFile } from "../../src/auth/store.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { cliWorld, runCli } from "./helpers.ts";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());

function loggedIn(extra: Record<string, string> = {}) {
  const world = cliWorld(fake, extra);
  writeSecretFile(world.tokenFile, JSON.stringify(fake.issueTokens()));
  return world;
}

describe("maximize models", () => {
  test("the nickname table from the live catalogue, then the active models", async () => {
    const result = await runCli(loggedIn(), ["models"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^nickname\s+model\s+effort\s+from/m);
    expect(result.stdout).toMatch(/^xs\s+claude-haiku-5-5\s+low\s+live$/m);
    expect(result.stdout).toMatch(/^l \(default\)\s+claude-sonnet-5-5\s+model default\s+live$/m);
    expect(result.stdout).toMatch(/^xxl\s+claude-opus-5-5\s+max\s+live$/m);
    expect(result.stdout).toMatch(/^claude-fable-5-2\s+fable\s+active\s+2026-11-12\s+low medium high xhigh max$/m);
    expect(result.stdout).not.toContain("claude-sonnet-4-5 "); // deprecated: only with --all
    expect(result.stdout).not.toContain("claude-sonnet-4-20250514"); // retired: never
  });

  test("--all lists deprecated models too; the default nickname is marked", async () => {
    const world = loggedIn({ MAXIMIZE_DEFAULT_MODEL: "xl" });
    const result = await runCli(world, ["models", "--all"]);
    expect(result.stdout).toMatch(/^claude-sonnet-4-5\s+sonnet\s+deprecated/m);
    expect(result.stdout).toMatch(/^xl \(default\)/m);
  });

  test("--json: nicknames with model, effort and source, and the full model objects", async () => {
    const result = await runCli(loggedIn(), ["models", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      source: string;
      default: string;
      nicknames: unknown[];
      models: Record<string, unknown>[];
    };
    expect(report.source).toBe("live");
    expect(report.default).toBe("l");
    expect(report.nicknames).toContainEqual({
      nickname: "xxl",
      model: "claude-opus-5-5",
      effort: "max",
      source: "live",
      definition: "line opus, effort highest",
    });
    const opus = report.models.find((model) => model.id === "claude-opus-5-5");
    expect(opus).toMatchObject({
      line: "opus",
      lifecycle: "active",
      max_tokens: 128_000,
      capabilities: { structured_outputs: { supported: true } },
    });
  });

  test("a release shows up at once (the command always asks Anthropic)", async () => {
    fake.releaseModel({ id: "claude-sonnet-6", line: "sonnet" });
    try {
      const result = await runCli(loggedIn(), ["models"]);
      expect(result.stdout).toMatch(/^l \(default\)\s+claude-sonnet-6\s/m);
    } finally {
      fake.retireModel("claude-sonnet-6");
    }
  });

  test("not logged in: the built-in table, marked as such, with the reason and what to do", async () => {
    const result = await runCli(cliWorld(fake), ["models"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^l \(default\)\s+claude-sonnet-5-5\s+model default\s+fallback$/m);
    expect(result.stdout).toContain("could not be fetched");
    expect(result.stdout).toContain("maximize login");
  });
});
