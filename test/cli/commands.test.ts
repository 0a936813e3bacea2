/** Commands run in process with injected I/O (the spawned-CLI suites are in *.e2e.test.ts). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loginCommand } from "../../src/cli/login.ts";
import { modelsCommand } from "../../src/cli/models.ts";
import { refreshCommand } from "../../src/cli/refresh.ts";
import { statusCommand } from "../../src/cli/status.ts";
import { AuthError } from "../../src/shared/errors.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { cliContext } from "../support/cli-context.ts";

const API_KEY = "sk-ant-api03-in-process-test";
let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKeys: [API_KEY] });
});
afterAll(() => fake.close());
const towardsFake = () => ({ MAXIMIZE_UPSTREAM_URL: fake.url, MAXIMIZE_OAUTH_TOKEN_URL: fake.tokenUrl, MAXIMIZE_PORT: "18097" });

describe("in process", () => {
  test("status --json without a login: exit 1, the report on stdout", async () => {
    const { ctx, stdout } = cliContext(["status", "--json"], statusCommand.options, towardsFake());
    expect(await statusCommand.run(ctx)).toBe(1);
    expect(JSON.parse(stdout())).toMatchObject({ logged_in: false, method: "none", listen: "http://127.0.0.1:18097" });
  });

  test("refresh without a login is an AuthError that says what to run", async () => {
    const { ctx } = cliContext(["refresh"], refreshCommand.options, towardsFake());
    const error = await refreshCommand.run(ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).kind).toBe("not_logged_in");
  });

  test("login --token - reads the token from the injected stdin, then status sees it; no colour codes", async () => {
    const token = fake.issueTokens({ expiresIn: 365 * 86_400 }).access_token; // what `claude setup-token` prints
    const env = towardsFake();
    const login = cliContext(["login", "--token", "-"], loginCommand.options, env, `${token}\n`);
    expect(await loginCommand.run(login.ctx)).toBe(0);
    expect(login.stdout()).toContain("✓ Logged in with the long-lived token, checked against the API");
    expect(login.stdout()).not.toContain("\x1b[");
    const status = cliContext(["status"], statusCommand.options, { ...env, MAXIMIZE_TOKEN_FILE: login.ctx.config.storage.token_file });
    expect(await statusCommand.run(status.ctx)).toBe(0);
    expect(status.stdout()).toMatch(/logged in\s+yes — Claude login/);
  });

  test("status with an API key says which credentials are used, not 'logged in'", async () => {
    const { ctx, stdout } = cliContext(["status"], statusCommand.options, { ...towardsFake(), MAXIMIZE_ANTHROPIC_API_KEY: API_KEY });
    expect(await statusCommand.run(ctx)).toBe(0);
    expect(stdout()).toMatch(/credentials\s+Anthropic API key \(MAXIMIZE_ANTHROPIC_API_KEY\)/);
    expect(stdout()).not.toContain("logged in");
    expect(stdout()).not.toContain(API_KEY);
  });

  test("models --json against the fake, with an API key", async () => {
    const { ctx, stdout } = cliContext(["models", "--json"], modelsCommand.options, {
      ...towardsFake(),
      MAXIMIZE_ANTHROPIC_API_KEY: API_KEY,
    });
    expect(await modelsCommand.run(ctx)).toBe(0);
    const report = JSON.parse(stdout()) as { source: string; nicknames: { nickname: string; model: string }[] };
    expect(report.source).toBe("live");
    expect(report.nicknames.map((row) => `${row.nickname}=${row.model}`)).toContain("l=claude-sonnet-5-5");
  });
});
