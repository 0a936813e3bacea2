import { afterAll, beforeAll, beforeEach } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenStore, type StoredTokens } from "../../src/auth/store.ts";
import { loadConfig, type Config } from "../../src/config/load.ts";
import { createLogger } from "../../src/shared/log.ts";
import { startServer } from "../../src/server/serve.ts";
import { writeFileAtomic } from "../../src/shared/files.ts";
import { startFakeAnthropic, type FakeAnthropic } from "./fake-anthropic.ts";

export interface TestProxy {
  url: string;
  config: Config;
  /** Its folder: HOME, the token file, the accounts folder. */
  dir: string;
  tokenFile: string;
  /** Everything the proxy logged (debug level). */
  logs: string[];
  readTokens(): StoredTokens | undefined;
  stop(): Promise<void>;
  /** `await using proxy = await startProxy(fake)` stops it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts the real maximize server in-process on a free loopback port, pointed at a fake upstream, and waits for its
 * start-up fetch of the model catalogue (so no test counts that request, or has it take a queued fault, by chance).
 * `tokens` are written to a fresh token file first (omit for "not logged in").
 */
export async function startProxy(
  fake: FakeAnthropic,
  options: {
    tokens?: StoredTokens;
    /** More accounts, written to `<dir>/accounts/<name>.json` before start: a Claude login or an API key. */
    accounts?: Record<string, StoredTokens | { api_key: string }>;
    env?: Record<string, string>;
    edit?: (config: Config) => void;
    /** Use this folder (another proxy's `dir`: two proxies sharing their files, as two processes would). */
    dir?: string;
  } = {},
): Promise<TestProxy> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "maximize-proxy-"));
  const tokenFile = join(dir, "tokens.json");
  const store = createTokenStore(tokenFile);
  if (options.tokens) store.write(options.tokens);
  for (const [name, content] of Object.entries(options.accounts ?? {})) {
    writeFileAtomic(join(dir, "accounts", `${name}.json`), JSON.stringify(content), { what: "a test account" });
  }
  const config = loadConfig({
    cwd: dir,
    env: {
      HOME: dir,
      MAXIMIZE_TOKEN_FILE: tokenFile,
      MAXIMIZE_UPSTREAM_URL: fake.url,
      MAXIMIZE_OAUTH_TOKEN_URL: fake.tokenUrl,
      MAXIMIZE_OAUTH_AUTHORIZE_URL: fake.authorizeUrl,
      MAXIMIZE_LOG_LEVEL: "debug",
      ...options.env,
    },
  });
  config.server.port = 0;
  options.edit?.(config);
  const logs: string[] = [];
  const log = createLogger({
    level: "debug",
    format: config.server.log_format,
    write: (line) => logs.push(line),
    secrets: config.server.api_keys.map((k) => k.key),
  });
  const running = startServer({ config, log });
  await running.ready;
  return {
    url: running.url,
    config,
    dir,
    tokenFile,
    logs,
    readTokens: () => store.read(),
    stop: () => running.stop(1000),
    [Symbol.asyncDispose]: () => running.stop(1000),
  };
}

/**
 * For a test file: a fake upstream and a logged-in proxy started once, faults cleared before each test.
 * Read `env.fake` / `env.proxy` inside tests (they exist once the file's beforeAll has run).
 */
export function useLoggedInProxy(): { readonly fake: FakeAnthropic; readonly proxy: TestProxy } {
  const env = {} as { fake: FakeAnthropic; proxy: TestProxy };
  beforeAll(async () => {
    env.fake = await startFakeAnthropic();
    env.proxy = await startProxy(env.fake, { tokens: env.fake.issueTokens() });
  });
  afterAll(async () => {
    await env.proxy?.stop();
    await env.fake?.close();
  });
  beforeEach(() => env.fake.clearFaults());
  return env;
}
