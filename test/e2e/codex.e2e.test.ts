/**
 * The real Codex CLI (`@openai/codex`, whose only wire API is Responses) through maximize against the fake upstream,
 * in a temp HOME: a task that needs one tool call, completed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startProxy, type TestProxy } from "../support/proxy.ts";

const CODEX = resolve(import.meta.dir, "../../node_modules/.bin/codex");
let fake: FakeAnthropic;
let proxy: TestProxy;
beforeAll(async () => {
  fake = await startFakeAnthropic();
  proxy = await startProxy(fake, { tokens: fake.issueTokens() });
});
afterAll(async () => {
  await proxy.stop();
  await fake.close();
});

/** ~/.codex/config.toml as the README tells users to write it. */
function codexHome(baseUrl: string): { home: string; codexHome: string } {
  const home = mkdtempSync(join(tmpdir(), "maximize-codex-"));
  const codexHome = join(home, ".codex");
  mkdirSync(codexHome);
  writeFileSync(
    join(codexHome, "config.toml"),
    [
      'model = "l"',
      'model_provider = "maximize"',
      "",
      "[model_providers.maximize]",
      'name = "maximize"',
      `base_url = "${baseUrl}/v1"`,
      'env_key = "MAXIMIZE_API_KEY"',
      'wire_api = "responses"',
      "",
    ].join("\n"),
  );
  return { home, codexHome };
}

test("codex exec runs a command the model asks for and finishes the task", async () => {
  const { home, codexHome: dir } = codexHome(proxy.url);
  const work = mkdtempSync(join(tmpdir(), "maximize-codex-work-"));
  // The model's first turn: call Codex's exec_command tool. (The fake answers the tool result on its own.)
  fake.fault({
    kind: "script",
    content: [{ type: "tool_use", id: "toolu_01codexrun", name: "exec_command", input: { cmd: "echo hello-from-codex" } }],
  });
  const before = fake.requests.length;
  const child = Bun.spawn(
    [CODEX, "exec", "--skip-git-repo-check", "-C", work, "Print hello-from-codex with echo, then tell me what it printed."],
    {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, CODEX_HOME: dir, MAXIMIZE_API_KEY: "unused", NO_COLOR: "1" },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  expect({ code, stderr: code === 0 ? "" : stderr.slice(-2000) }).toEqual({ code: 0, stderr: "" });

  const turns = fake.requests.slice(before).filter((r) => r.path === "/v1/messages");
  expect(turns.length).toBe(2);
  const second = JSON.stringify(turns[1]!.body);
  expect(second).toContain("toolu_01codexrun"); // the tool result came back for the call…
  expect(second).toContain("hello-from-codex"); // …carrying what the command printed
  expect(stdout).toContain("Tool result received:"); // Codex's final message is the model's answer
  expect(proxy.logs.filter((line) => line.includes("POST /v1/responses") && line.includes(" 200 ")).length).toBeGreaterThanOrEqual(2);
  expect(proxy.logs.some((line) => line.includes("POST /v1/responses") && /stream (failed|abandoned)/.test(line))).toBe(false);
}, 60_000);
