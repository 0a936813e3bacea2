/**
 * docs/examples/: every snippet whose toolchain is here is run as it is written, as a subprocess, against a real
 * maximize (in-process, with a proxy API key configured) in front of the fake upstream. The programs read
 * MAXIMIZE_URL / MAXIMIZE_API_KEY, so nothing is substituted into their text; the configs (Codex, Claude Code,
 * Continue) are used as written, with only the base URL pointed at the test's proxy.
 * Snippets without a toolchain here are compiled (Python SDKs) or run only where the tool exists (Go); each file
 * and docs/examples/README.md say which.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import * as v from "valibot";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startProxy, type TestProxy } from "../support/proxy.ts";

const EXAMPLES = resolve(import.meta.dir, "../../docs/examples");
const BIN = resolve(import.meta.dir, "../../node_modules/.bin");
const KEY = "examples-proxy-key";
const PYTHON = Bun.which("python3");
const JAVA = Bun.which("java");
const GO = Bun.which("go");
const SHELLCHECK = Bun.which("shellcheck");
for (const [tool, found] of [
  ["python3", PYTHON],
  ["java", JAVA],
  ["go", GO],
  ["shellcheck", SHELLCHECK],
] as const) {
  if (!found) console.warn(`docs/examples: no ${tool} on PATH, so what needs it is skipped`);
}

let fake: FakeAnthropic;
let proxy: TestProxy;
beforeAll(async () => {
  fake = await startFakeAnthropic();
  proxy = await startProxy(fake, { tokens: fake.issueTokens(), env: { MAXIMIZE_API_KEYS: KEY } });
});
afterAll(async () => {
  await proxy.stop();
  await fake.close();
});
beforeEach(() => fake.clearFaults());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment a user's shell would give the example: ours, minus HTTP proxies, plus where maximize is. */
function exampleEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/_proxy$/i.test(name) && !name.startsWith("MAXIMIZE_")) env[name] = value;
  }
  return { ...env, NO_COLOR: "1", MAXIMIZE_URL: proxy.url, MAXIMIZE_API_KEY: KEY, ...extra };
}

async function run(cmd: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const child = Bun.spawn(cmd, {
    cwd: options.cwd ?? EXAMPLES,
    env: options.env ?? exampleEnv(),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** Exit code 0 (with stderr shown when not, so a failure says why). */
function expectSuccess(result: Run): void {
  expect({ code: result.code, stderr: result.code === 0 ? "" : result.stderr.slice(-2000) }).toEqual({ code: 0, stderr: "" });
}

/** The fake's answer to a prompt: it names the model the nickname resolved to and repeats the prompt. */
const answer = (prompt: string): RegExp => new RegExp(`^Hello from claude-[a-z0-9-]+! You said: ${prompt}$`);

const MessagesBody = v.looseObject({
  stream: v.optional(v.boolean()),
  messages: v.array(v.looseObject({ content: v.union([v.string(), v.array(v.looseObject({ text: v.optional(v.string()) }))]) })),
});

/** Runs an example; `calls` are the /v1/messages requests the fake got meanwhile, as [last user text, streamed]. */
async function runExample(cmd: string[]): Promise<Run & { calls: Array<[string, boolean]> }> {
  const before = fake.requests.length;
  const result = await run(cmd);
  const calls = fake.requests
    .slice(before)
    .filter((r) => r.path === "/v1/messages")
    .map((r): [string, boolean] => {
      const body = v.parse(MessagesBody, r.body);
      const content = body.messages.at(-1)?.content ?? "";
      return [typeof content === "string" ? content : content.map((block) => block.text ?? "").join(""), body.stream === true];
    });
  return { ...result, calls };
}

test("curl.sh: Messages and Chat Completions, each plain and streamed, with the proxy API key", async () => {
  const result = await runExample(["sh", "curl.sh"]);
  expectSuccess(result);
  expect(result.calls).toEqual([
    ["Hello from curl", false],
    ["Hello from curl, streamed", true],
    ["Hello from curl, OpenAI style", false],
    ["Hello from curl, OpenAI style, streamed", true],
  ]);
  expect(result.stdout).toContain('You said: Hello from curl"');
  expect(result.stdout).toContain("event: message_stop");
  expect(result.stdout).toContain('"object":"chat.completion"');
  expect(result.stdout).toContain("data: [DONE]");
});

test("curl.sh fails, and says so, when the proxy wants a key it was not given", async () => {
  const result = await run(["sh", "curl.sh"], { env: exampleEnv({ MAXIMIZE_API_KEY: "not-the-key" }) });
  expect(result.code).not.toBe(0);
  expect(result.stdout).toContain("authentication_error");
});

test.skipIf(!SHELLCHECK)("curl.sh passes shellcheck as a POSIX sh script", async () => {
  expectSuccess(await run([SHELLCHECK!, "-s", "sh", "curl.sh"]));
});

test("typescript/anthropic.ts prints a message, then the same streamed", async () => {
  const result = await runExample([join(BIN, "bun"), "typescript/anthropic.ts"]);
  expectSuccess(result);
  const lines = result.stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(answer("Hello from TypeScript"));
  expect(lines[1]).toMatch(answer("Hello from TypeScript, streamed"));
  expect(result.calls.map(([, streamed]) => streamed)).toEqual([false, true]);
});

test("typescript/openai.ts prints a chat completion, the same streamed, and a streamed Responses answer", async () => {
  const result = await runExample([join(BIN, "bun"), "typescript/openai.ts"]);
  expectSuccess(result);
  const lines = result.stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(answer("Hello from OpenAI TypeScript"));
  expect(lines[1]).toMatch(answer("Hello from OpenAI TypeScript, streamed"));
  expect(lines[2]).toMatch(answer("Hello from the Responses API"));
  expect(result.calls.map(([, streamed]) => streamed)).toEqual([false, true, true]);
});

test.skipIf(!PYTHON)("python/stdlib.py (http.client only) prints a message, then the same streamed", async () => {
  const result = await runExample([PYTHON!, "python/stdlib.py"]);
  expectSuccess(result);
  const lines = result.stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(answer("Hello from Python"));
  expect(lines[1]).toMatch(answer("Hello from Python, streamed"));
  expect(result.calls.map(([, streamed]) => streamed)).toEqual([false, true]);
});

/** Whether `python3 -c "import <name>"` works here: then the SDK example is run, else only compiled. */
function importable(name: string): boolean {
  return PYTHON !== null && Bun.spawnSync([PYTHON, "-c", `import ${name}`], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}

for (const [file, module, prompt] of [
  ["python/anthropic_sdk.py", "anthropic", "Hello from Python"],
  ["python/openai_sdk.py", "openai", "Hello from OpenAI Python"],
] as const) {
  const runnable = importable(module);
  if (PYTHON && !runnable) console.warn(`docs/examples: Python package ${module} is not installed, so ${file} is only compiled`);

  test.skipIf(!PYTHON || runnable)(`${file} compiles (the ${module} package is not installed here)`, async () => {
    const cache = mkdtempSync(join(tmpdir(), "maximize-pycache-"));
    expectSuccess(await run([PYTHON!, "-m", "py_compile", file], { env: exampleEnv({ PYTHONPYCACHEPREFIX: cache }) }));
  });

  test.skipIf(!runnable)(`${file} prints an answer, then a streamed one`, async () => {
    const result = await run([PYTHON!, file], { env: exampleEnv({ PYTHONDONTWRITEBYTECODE: "1" }) });
    expectSuccess(result);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(answer(prompt));
    expect(lines[1]).toMatch(answer(`${prompt}, streamed`));
  });
}

test.skipIf(!JAVA)(
  "java/Maximize.java (java.net.http) prints a message's JSON, then the text streamed",
  async () => {
    const result = await runExample([JAVA!, "java/Maximize.java"]);
    expectSuccess(result);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!).content[0].text).toMatch(answer("Hello from Java"));
    expect(lines[1]).toMatch(answer("Hello from Java, streamed"));
    expect(result.calls.map(([, streamed]) => streamed)).toEqual([false, true]);
  },
  30_000,
);

test.skipIf(!GO)(
  "go/main.go (net/http) prints a message, then the same streamed",
  async () => {
    // A build cache kept between runs (and one that exists even without HOME): the first build of net/http is slow.
    const cache = join(tmpdir(), "maximize-examples-gocache");
    const result = await run([GO!, "run", "main.go"], { cwd: join(EXAMPLES, "go"), env: exampleEnv({ GOCACHE: cache }) });
    expectSuccess(result);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(answer("Hello from Go"));
    expect(lines[1]).toMatch(answer("Hello from Go, streamed"));
  },
  60_000,
);

test("codex/config.toml: the real Codex CLI with that file answers through /v1/responses", async () => {
  const home = mkdtempSync(join(tmpdir(), "maximize-codex-example-"));
  const codexHome = join(home, ".codex");
  mkdirSync(codexHome);
  cpSync(join(EXAMPLES, "codex/config.toml"), join(codexHome, "config.toml"));
  const work = mkdtempSync(join(tmpdir(), "maximize-codex-example-work-"));
  // A plain text turn (left alone, the fake calls one of the tools Codex offers).
  fake.fault({ kind: "script", content: [{ type: "text", text: "Hello from the Codex example" }] });
  const result = await run(
    [
      join(BIN, "codex"),
      "exec",
      "--skip-git-repo-check",
      "-C",
      work,
      // The one change to the file: the test's proxy instead of 127.0.0.1:8081.
      "-c",
      `model_providers.maximize.base_url="${proxy.url}/v1"`,
      "Say hello",
    ],
    { env: exampleEnv({ HOME: home, CODEX_HOME: codexHome }) },
  );
  expectSuccess(result);
  expect(result.stdout).toContain("Hello from the Codex example");
  expect(proxy.logs.some((line) => line.includes("POST /v1/responses") && line.includes(" 200 "))).toBe(true);
}, 60_000);

test("claude-code/settings.json names maximize's address and a token, and that token gets through as a Bearer", async () => {
  const Settings = v.strictObject({ env: v.strictObject({ ANTHROPIC_BASE_URL: v.string(), ANTHROPIC_AUTH_TOKEN: v.string() }) });
  const { env } = v.parse(Settings, JSON.parse(readFileSync(join(EXAMPLES, "claude-code/settings.json"), "utf8")));
  expect(env.ANTHROPIC_BASE_URL).toBe("http://127.0.0.1:8081"); // no /v1: Claude Code adds it
  expect(env.ANTHROPIC_AUTH_TOKEN).not.toBe("");
  // What Claude Code sends with it (here with the proxy key, as the README tells users with keys to do).
  const response = await fetch(`${proxy.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: "l", max_tokens: 64, messages: [{ role: "user", content: "Hello from Claude Code" }] }),
  });
  expect(response.status).toBe(200);
});

test("editors/continue.yaml: an OpenAI-provider model whose apiBase and model maximize answers", async () => {
  const Continue = v.looseObject({
    models: v.tuple([v.looseObject({ provider: v.literal("openai"), model: v.string(), apiBase: v.string(), apiKey: v.string() })]),
  });
  const [model] = v.parse(Continue, Bun.YAML.parse(readFileSync(join(EXAMPLES, "editors/continue.yaml"), "utf8"))).models;
  expect(model.apiBase).toBe("http://127.0.0.1:8081/v1");
  expect(model.model).toBe("l");
  // Continue's request: POST {apiBase}/chat/completions with the key as a Bearer (the test's proxy, the proxy key).
  const response = await fetch(`${model.apiBase.replace("http://127.0.0.1:8081", proxy.url)}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model: model.model, messages: [{ role: "user", content: "Hello from Continue" }] }),
  });
  expect(response.status).toBe(200);
  const Completion = v.looseObject({ choices: v.tuple([v.looseObject({ message: v.looseObject({ content: v.string() }) })]) });
  expect(v.parse(Completion, await response.json()).choices[0].message.content).toMatch(answer("Hello from Continue"));
});

test("every example is listed in docs/examples/README.md, points at 127.0.0.1:8081 and asks for the nickname l", () => {
  const files = (function walk(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
  })(EXAMPLES)
    .map((file) => relative(EXAMPLES, file))
    .filter((file) => !file.endsWith("README.md"));
  expect(files.length).toBeGreaterThanOrEqual(12);
  const index = readFileSync(join(EXAMPLES, "README.md"), "utf8");
  const problems = files.flatMap((file) => {
    const text = readFileSync(join(EXAMPLES, file), "utf8");
    const listed = index.includes(`(${file})`) || index.includes(`(${file.split("/")[0]}/README.md)`);
    return [
      ...(listed ? [] : [`${file} is not in README.md`]),
      ...(text.includes("127.0.0.1:8081") ? [] : [`${file} does not point at 127.0.0.1:8081`]),
      // (Claude Code's settings name no model: it sends its own model IDs unless started with --model l.)
      ...(file === "claude-code/settings.json" || /model["']?\s*[:=]\s*"l"|model: l\b|"model":"l"|\\"model\\":\\"l\\"/.test(text)
        ? []
        : [`${file} does not ask for "l"`]),
    ];
  });
  expect(problems).toEqual([]);
});
