import { expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { createModelCatalogue } from "../../src/models/catalogue.ts";
import { applyConfig, changedSettings } from "../../src/server/reload.ts";
import { createLogger } from "../../src/shared/log.ts";

const config = (env: Record<string, string> = {}) => loadConfig({ cwd: "/", env: { HOME: "/home/reload", ...env } });

test.each<[string, Record<string, string>, string[], string[]]>([
  ["nothing", {}, [], []],
  [
    "proxy keys and log level: live",
    { MAXIMIZE_API_KEYS: "key-number-one", MAXIMIZE_LOG_LEVEL: "debug" },
    ["server.log_level", "server.api_keys"],
    [],
  ],
  [
    "timeouts: live",
    { MAXIMIZE_REQUEST_TIMEOUT: "5", MAXIMIZE_STREAM_IDLE_TIMEOUT: "7" },
    ["api.request_timeout", "api.stream_idle_timeout"],
    [],
  ],
  ["the address: restart", { MAXIMIZE_PORT: "9999", MAXIMIZE_BIND_ADDRESS: "127.0.0.2" }, [], ["server.port", "server.bind_address"]],
  [
    "the upstream and the login: restart",
    { MAXIMIZE_UPSTREAM_URL: "http://x.test", MAXIMIZE_TOKEN_FILE: "/t.json" },
    [],
    // The accounts folder is beside the token file unless named, so it moves with it.
    ["storage.token_file", "storage.accounts_dir", "api.base_url"],
  ],
])("%s", (_name, env, applied, restart) => {
  const running = config();
  const next = config(env);
  expect(changedSettings(running, next).sort()).toEqual([...applied, ...restart].sort());
  const models = createModelCatalogue({
    fetchPage: () => Promise.reject(new Error("offline")),
    nicknames: {},
    defaultModel: "l",
    refreshIntervalMs: 60_000,
  });
  const outcome = applyConfig(running, next, { models, log: createLogger({ level: "error", write: () => {} }) });
  expect(outcome.applied.sort()).toEqual([...applied].sort());
  expect(outcome.restart.sort()).toEqual([...restart].sort());
  // Applied settings are now the running ones; the others are not.
  for (const setting of applied) {
    const [section, key] = setting.split(".") as [string, string];
    expect((running as unknown as Record<string, Record<string, unknown>>)[section]![key]).toEqual(
      (next as unknown as Record<string, Record<string, unknown>>)[section]![key],
    );
  }
  if (restart.includes("server.port")) expect(running.server.port).toBe(8081);
});

test("new nicknames and default resolve at once", async () => {
  const running = config();
  const models = createModelCatalogue({
    fetchPage: () => Promise.reject(new Error("offline")),
    nicknames: {},
    defaultModel: "l",
    refreshIntervalMs: 60_000,
  });
  const next = config();
  next.models.nicknames = { fast: "claude-haiku-5-5" };
  next.models.default = "fast";
  applyConfig(running, next, { models, log: createLogger({ level: "error", write: () => {} }) });
  expect((await models.resolve("")).model).toBe("claude-haiku-5-5");
  expect(models.isNickname("fast")).toBe(true);
});
