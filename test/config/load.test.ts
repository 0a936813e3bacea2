import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, type Config } from "../../src/config/load.ts";
import { nicknameTable } from "../../src/models/nicknames.ts";

function dirWithConfig(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "maximize-config-"));
  if (config !== undefined) writeFileSync(join(dir, "config.json"), typeof config === "string" ? config : JSON.stringify(config));
  return dir;
}

const home = "/home/tester";

describe("defaults", () => {
  test("no file, no env, no flags", () => {
    const config = loadConfig({ cwd: dirWithConfig(), env: { HOME: home } });
    expect(config.server).toEqual({
      port: 8081,
      bind_address: "127.0.0.1",
      log_level: "info",
      log_format: "text",
      api_keys: [],
      allow_open: false,
    });
    expect(config.storage.token_file).toBe("/home/tester/.maximize/tokens.json");
    expect(config.api.base_url).toBe("https://api.anthropic.com");
    expect(config.api.request_timeout).toBe(600);
    expect(config.oauth.client_id).toBe("9d1c250a-e61b-44d9-88ed-5944d1962f5e");
    expect(config.oauth.token_url).toBe("https://platform.claude.com/v1/oauth/token");
    expect(config.models.default).toBe("l");
    expect(config.models.nicknames).toEqual({}); // the built-in sizes live in src/models/nicknames.ts
    expect(config.models.refresh_interval).toBe(3600);
    expect(config.api.oauth_betas).toContain("oauth-2025-04-20");
    expect(config.api.user_agent).toBeUndefined();
    expect(config.update).toEqual({ check: false }); // no network call the user did not ask for
    expect(config.file).toBeUndefined();
  });
});

test("update.check from the file, or MAXIMIZE_UPDATE_CHECK over it; a value that is not a yes/no is refused", () => {
  const cwd = dirWithConfig({ update: { check: true } });
  const MAXIMIZE_CONFIG = join(cwd, "config.json");
  expect(loadConfig({ cwd, env: { HOME: home, MAXIMIZE_CONFIG } }).update.check).toBe(true);
  expect(loadConfig({ cwd, env: { HOME: home, MAXIMIZE_CONFIG, MAXIMIZE_UPDATE_CHECK: "0" } }).update.check).toBe(false);
  expect(loadConfig({ cwd: dirWithConfig(), env: { HOME: home, MAXIMIZE_UPDATE_CHECK: "1" } }).update.check).toBe(true);
  expect(() => loadConfig({ cwd: dirWithConfig(), env: { HOME: home, MAXIMIZE_UPDATE_CHECK: "daily" } })).toThrow("MAXIMIZE_UPDATE_CHECK");
});

describe("precedence: flags > env > file > defaults", () => {
  const file = { server: { port: 7000, log_level: "warn", bind_address: "127.0.0.2" }, api: { base_url: "http://file.test/" } };
  test.each<[string, Record<string, string>, Record<string, string>, number, string]>([
    ["file only", {}, {}, 7000, "warn"],
    ["env beats file", { MAXIMIZE_PORT: "7001", MAXIMIZE_LOG_LEVEL: "error" }, {}, 7001, "error"],
    ["un-prefixed names are not read", { PORT: "7001", LOG_LEVEL: "trace", BIND_ADDRESS: "0.0.0.0" }, {}, 7000, "warn"],
    ["MAXIMIZE_ names only", { PORT: "7001", MAXIMIZE_PORT: "7002", MAXIMIZE_LOG_LEVEL: "DEBUG" }, {}, 7002, "debug"],
    ["flag beats env", { MAXIMIZE_PORT: "7002" }, { port: "7003", "log-level": "info" }, 7003, "info"],
    ["empty env value is ignored", { MAXIMIZE_PORT: "" }, {}, 7000, "warn"],
  ])("%s", (_name, env, flags, port, level) => {
    const dir = dirWithConfig(file);
    const config = loadConfig({ cwd: dir, env: { HOME: home, MAXIMIZE_CONFIG: join(dir, "config.json"), ...env }, flags });
    expect(config.server.port).toBe(port);
    expect(config.server.log_level).toBe(level as never);
    expect(config.server.bind_address).toBe("127.0.0.2");
    expect(config.api.base_url).toBe("http://file.test");
  });

  test("MAXIMIZE_CONFIG names the file; nicknames from the file pin or extend the built-in sizes", () => {
    const dir = dirWithConfig();
    const path = join(dir, "elsewhere.json");
    const nicknames = { l: "claude-opus-4-8", fast: { line: "haiku", effort: "low" as const }, xxl: { line: "fable" } };
    writeFileSync(path, JSON.stringify({ models: { nicknames, default: "fast", refresh_interval: 60 } }));
    const config = loadConfig({ cwd: "/", env: { HOME: home, MAXIMIZE_CONFIG: path } });
    expect(config.file).toBe(path);
    expect(config.models.nicknames).toEqual(nicknames);
    expect(config.models.default).toBe("fast");
    expect(config.models.refresh_interval).toBe(60);
    const table = nicknameTable(config.models.nicknames);
    expect(table.xs).toEqual({ line: "haiku", effort: "low" });
    expect(table.xxl).toEqual({ line: "fable", effort: "highest" });
  });

  test("api.user_agent, api.oauth_betas and models.refresh_interval from the environment or the file", () => {
    const fromEnv = loadConfig({
      cwd: dirWithConfig(),
      env: { HOME: home, MAXIMIZE_USER_AGENT: "my-agent/1", MAXIMIZE_MODELS_REFRESH_INTERVAL: "120" },
    });
    expect(fromEnv.api.user_agent).toBe("my-agent/1");
    expect(fromEnv.models.refresh_interval).toBe(120);
    const fromFile = loadConfig({
      cwd: dirWithConfig({ api: { oauth_betas: ["oauth-2025-04-20", "x-2027-01-01"] } }),
      env: { HOME: home },
    });
    expect(fromFile.api.oauth_betas).toEqual(["oauth-2025-04-20", "x-2027-01-01"]);
  });

  test("every URL is configurable from the environment", () => {
    const env = {
      HOME: home,
      MAXIMIZE_UPSTREAM_URL: "http://127.0.0.1:1/",
      MAXIMIZE_OAUTH_AUTHORIZE_URL: "http://127.0.0.1:2/oauth/authorize",
      MAXIMIZE_OAUTH_TOKEN_URL: "http://127.0.0.1:3/v1/oauth/token",
      MAXIMIZE_OAUTH_REDIRECT_URI: "http://127.0.0.1:4/callback",
      MAXIMIZE_OAUTH_CLIENT_ID: "client",
      MAXIMIZE_OAUTH_SCOPES: "user:inference",
    };
    const config = loadConfig({ cwd: dirWithConfig(), env });
    expect(config.api.base_url).toBe("http://127.0.0.1:1");
    expect(config.oauth).toEqual({
      authorize_url: "http://127.0.0.1:2/oauth/authorize",
      token_url: "http://127.0.0.1:3/v1/oauth/token",
      redirect_uri: "http://127.0.0.1:4/callback",
      client_id: "client",
      scopes: "user:inference",
    });
  });

  test("proxy API keys: list, single legacy key, and file; each gets a name", () => {
    const keys = (env: Record<string, string>, file?: unknown) =>
      loadConfig({ cwd: dirWithConfig(file), env: { HOME: home, ...env } }).server.api_keys;
    expect(keys({ MAXIMIZE_API_KEYS: "key-one-1, key-two-2" })).toEqual([
      { key: "key-one-1", name: "key-1" },
      { key: "key-two-2", name: "key-2" },
    ]);
    expect(keys({ MAXIMIZE_API_KEY: "single-key" })).toEqual([{ key: "single-key", name: "key-1" }]);
    expect(keys({}, { server: { api_keys: ["from-file-1"] } })).toEqual([{ key: "from-file-1", name: "key-1" }]);
  });

  test("proxy API keys with names and limits (issue 16.3)", () => {
    const api_keys = [{ key: "alice-key-123", name: "alice", requests_per_minute: 60, max_concurrent: 2 }, "plain-key-456"];
    expect(loadConfig({ cwd: dirWithConfig({ server: { api_keys } }), env: { HOME: home } }).server.api_keys).toEqual([
      { key: "alice-key-123", name: "alice", requests_per_minute: 60, max_concurrent: 2 },
      { key: "plain-key-456", name: "key-2" },
    ]);
  });
});

describe("token file path", () => {
  test.each([
    ["~ expanded", "~/tok.json", "/home/tester/tok.json"],
    ["trailing slash gets tokens.json", "~/data/", "/home/tester/data/tokens.json"],
    ["relative to cwd", "rel.json", "CWD/rel.json"],
  ])("%s", (_name, value, expected) => {
    const cwd = dirWithConfig();
    const config = loadConfig({ cwd, env: { HOME: home, MAXIMIZE_TOKEN_FILE: value } });
    expect(config.storage.token_file).toBe(expected.replace("CWD", cwd));
  });

  test("an existing directory gets tokens.json appended", () => {
    const cwd = dirWithConfig();
    mkdirSync(join(cwd, "vol"));
    expect(loadConfig({ cwd, env: { HOME: home, MAXIMIZE_TOKEN_FILE: join(cwd, "vol") } }).storage.token_file).toBe(
      join(cwd, "vol", "tokens.json"),
    );
  });
});

describe("errors name the source, the key, the value and what is allowed", () => {
  const message = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error("expected a ConfigError");
  };

  test.each<[string, unknown, RegExp]>([
    ["unknown top-level key", { sever: {} }, /config file .*config\.json: unknown key "sever"/],
    ["unknown nested key", { server: { prot: 1 } }, /unknown key "server\.prot" in "server"/],
    ["bad port", { server: { port: "x" } }, /server\.port is "x" — expected an integer from 1 to 65535/],
    ["port out of range", { server: { port: 70000 } }, /server\.port is 70000 — expected an integer from 1 to 65535/],
    ["bad log level", { server: { log_level: "loud" } }, /server\.log_level is "loud" — expected one of debug, info, warn, error/],
    ["bad url", { api: { base_url: "ftp://x" } }, /api\.base_url is "ftp:\/\/x" — expected an http\(s\) URL/],
    [
      "bad nickname target",
      { models: { nicknames: { a: 3 } } },
      /models\.nicknames\.a is 3 — expected a model ID or an object with model, line and\/or effort/,
    ],
    [
      "bad nickname effort",
      { models: { nicknames: { a: { effort: "huge" } } } },
      /models\.nicknames\.a\.effort is "huge" — expected one of low, medium, high, xhigh, max, highest/,
    ],
    ["a key too short", { server: { api_keys: ["short"] } }, /server\.api_keys\.0 not accepted — expected a key/],
    [
      "a limit that is not a whole number",
      { server: { api_keys: [{ key: "alice-key-123", requests_per_minute: 1.5 }] } },
      /server\.api_keys\.0\.requests_per_minute not accepted — expected a whole number of requests per minute, at least 1/,
    ],
    [
      "two keys with one name",
      {
        server: {
          api_keys: [
            { key: "alice-key-123", name: "a" },
            { key: "other-key-456", name: "a" },
          ],
        },
      },
      /server\.api_keys not accepted — expected keys with different names \(two are named "a"/,
    ],
    [
      "unknown nickname key",
      { models: { nicknames: { a: { lines: "opus" } } } },
      /unknown key "models\.nicknames\.a\.lines" in "models\.nicknames\.a"/,
    ],
    ["not an object", [1], /must hold a JSON object, got \[1\]/],
    ["malformed JSON", "{bad", /is not valid JSON — look for a missing quote, comma or brace/],
  ])("file: %s", (_name, file, pattern) => {
    // Named explicitly: a ./config.json that is not recognisably maximize's is skipped, not explained (below).
    const dir = dirWithConfig(file);
    expect(message(() => loadConfig({ cwd: dir, env: { HOME: home, MAXIMIZE_CONFIG: join(dir, "config.json") } }))).toMatch(pattern);
  });

  test.each<[string, Record<string, string>, Record<string, string>, RegExp]>([
    ["env port", { MAXIMIZE_PORT: "eighty" }, {}, /environment variable MAXIMIZE_PORT is "eighty" — expected an integer from 1 to 65535/],
    ["flag port", {}, { port: "0" }, /option --port is "0" — expected an integer from 1 to 65535/],
    ["env url", { MAXIMIZE_UPSTREAM_URL: "nope" }, {}, /MAXIMIZE_UPSTREAM_URL is "nope" — expected an http\(s\) URL/],
    ["env timeout", { MAXIMIZE_REQUEST_TIMEOUT: "-1" }, {}, /MAXIMIZE_REQUEST_TIMEOUT is "-1" — expected a number of seconds above 0/],
    ["missing explicit config", { MAXIMIZE_CONFIG: "/nonexistent/c.json" }, {}, /config file \/nonexistent\/c\.json does not exist/],
  ])("%s", (_name, env, flags, pattern) => {
    expect(message(() => loadConfig({ cwd: dirWithConfig(), env: { HOME: home, ...env }, flags }))).toMatch(pattern);
  });
});

describe("config.example.json", () => {
  test("is a valid config file and matches the defaults", () => {
    const example = new URL("../../config.example.json", import.meta.url).pathname;
    const fromExample = loadConfig({ cwd: "/", env: { HOME: home, MAXIMIZE_CONFIG: example } });
    const defaults = loadConfig({ cwd: dirWithConfig(), env: { HOME: home } });
    // The example spells out the built-in nickname table; loaded, it must mean exactly the built-in one.
    const effective = (config: Config) => ({
      ...config,
      file: undefined,
      models: { ...config.models, nicknames: nicknameTable(config.models.nicknames) },
    });
    expect(effective(fromExample)).toEqual(effective(defaults));
  });
});

describe("which config file is read (issue 17.2)", () => {
  const homeWith = (config?: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), "maximize-home-"));
    if (config !== undefined) {
      mkdirSync(join(dir, ".maximize"));
      writeFileSync(join(dir, ".maximize", "config.json"), JSON.stringify(config));
    }
    return dir;
  };

  test("~/.maximize/config.json, when nothing else is named", () => {
    const userHome = homeWith({ server: { port: 7100 } });
    const config = loadConfig({ cwd: dirWithConfig(), env: { HOME: userHome } });
    expect(config.server.port).toBe(7100);
    expect(config.file).toBe(join(userHome, ".maximize", "config.json"));
    expect(config.notices).toEqual([]);
  });

  test.each<[string, unknown, RegExp]>([
    ["another project's config", { name: "my-app", port: 3000 }, /it has keys maximize does not use \(name, port\)/],
    ["not JSON", "port = 3000", /it is not JSON/],
    ["not an object", [1, 2], /it is not a JSON object/],
    ["empty object", {}, /it is empty/],
  ])("./config.json that is not maximize's (%s): skipped with a one-line notice, the home file used", (_name, local, why) => {
    const userHome = homeWith({ server: { port: 7100 } });
    const cwd = dirWithConfig(local);
    const config = loadConfig({ cwd, env: { HOME: userHome } });
    expect(config.server.port).toBe(7100);
    expect(config.file).toBe(join(userHome, ".maximize", "config.json"));
    expect(config.notices).toHaveLength(1);
    expect(config.notices[0]).toContain(`ignoring ${join(cwd, "config.json")}`);
    expect(config.notices[0]).toMatch(why);
    expect(config.notices[0]).toContain("--config");
  });

  test("./config.json that may be used wins over the home file, and says so", () => {
    const userHome = homeWith({ server: { port: 7100 } });
    const cwd = dirWithConfig({ server: { port: 7200 }, models: { default: "xl" } });
    const config = loadConfig({ cwd, env: { HOME: userHome } });
    expect(config.server.port).toBe(7200);
    expect(config.notices).toEqual([`using ${join(cwd, "config.json")}, found in the current folder`]);
  });

  test.each<[string, unknown, RegExp]>([
    ["a mistake in it", { server: { prot: 1 } }, /it is not a valid maximize config \(unknown key "server\.prot" in "server"/],
    ["the upstream URL", { api: { base_url: "http://evil.test" } }, /it sets api\.base_url, which a config\.json merely found/],
    ["the token endpoint", { oauth: { token_url: "http://evil.test/token" } }, /it sets oauth, which/],
    ["an open bind", { server: { bind_address: "0.0.0.0", allow_open: true } }, /it sets server\.bind_address, server\.allow_open/],
    ["the token file", { storage: { token_file: "/tmp/x" } }, /it sets storage\.token_file/],
    ["whose API account pays", { api: { anthropic_api_key: "sk-ant-api03-someone-elses" } }, /it sets api\.anthropic_api_key/],
    ["update checks", { update: { check: true } }, /it sets update/],
  ])("./config.json that is skipped (%s): the home file is used, the notice says why and how to use it anyway", (_name, local, why) => {
    const userHome = homeWith({ server: { port: 7100 } });
    const config = loadConfig({ cwd: dirWithConfig(local), env: { HOME: userHome } });
    expect(config.server.port).toBe(7100);
    expect(config.api.base_url).toBe("https://api.anthropic.com");
    expect(config.notices).toHaveLength(1);
    expect(config.notices[0]).toMatch(why);
    expect(config.notices[0]).toContain("--config");
  });

  test.each([
    ["--config", (path: string) => ({ flags: { config: path } })],
    ["MAXIMIZE_CONFIG", (path: string) => ({ env: { MAXIMIZE_CONFIG: path } })],
  ])("%s expands ~", (_name, source) => {
    const userHome = homeWith();
    writeFileSync(join(userHome, "mine.json"), JSON.stringify({ server: { port: 7300 } }));
    const given = source("~/mine.json");
    const config = loadConfig({ cwd: "/", ...given, env: { HOME: userHome, ...("env" in given ? given.env : {}) } });
    expect(config.server.port).toBe(7300);
    expect(config.file).toBe(join(userHome, "mine.json"));
  });
});

describe("MAXIMIZE_ANTHROPIC_API_KEY is checked for shape (issue 17.10), never repeated", () => {
  const oauth = `sk-ant-oat01-${"a".repeat(40)}`;
  const refresh = `sk-ant-ort01-${"b".repeat(40)}`;
  test.each<[string, string, RegExp]>([
    [
      "a Claude login token",
      oauth,
      /MAXIMIZE_ANTHROPIC_API_KEY holds a Claude login token \(sk-ant-oat…\), not an Anthropic API key — store it with `maximize login --token -`/,
    ],
    ["a refresh token", refresh, /holds a Claude refresh token/],
    ["a key with a line break inside", "sk-ant-api03-abc\ndef", /contains spaces or line breaks/],
  ])("%s: refused, saying what to do", (_name, key, pattern) => {
    let message = "";
    try {
      loadConfig({ cwd: dirWithConfig(), env: { HOME: home, MAXIMIZE_ANTHROPIC_API_KEY: key } });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(pattern);
    expect(message).not.toContain(key.slice(14));
  });

  test("in the config file: the message names the file", () => {
    const dir = dirWithConfig({ api: { anthropic_api_key: oauth } });
    expect(() => loadConfig({ cwd: dir, env: { HOME: home, MAXIMIZE_CONFIG: join(dir, "config.json") } })).toThrow(
      `api.anthropic_api_key in ${join(dir, "config.json")} holds a Claude login token`,
    );
  });

  test("an API key passes silently; an unknown shape is used, with a note", () => {
    expect(loadConfig({ cwd: dirWithConfig(), env: { HOME: home, MAXIMIZE_ANTHROPIC_API_KEY: "sk-ant-api03-xyz" } }).notices).toEqual([]);
    const odd = loadConfig({ cwd: dirWithConfig(), env: { HOME: home, MAXIMIZE_ANTHROPIC_API_KEY: "gateway-key-123" } });
    expect(odd.api.anthropic_api_key).toBe("gateway-key-123");
    expect(odd.notices).toEqual([
      "MAXIMIZE_ANTHROPIC_API_KEY does not look like an Anthropic API key (sk-ant-api03-…); it is sent as x-api-key as it is",
    ]);
  });
});

test("a key typed without its quotes is not repeated by the JSON error (issue 16 review)", () => {
  const secret = "deadbeef0123456789abcdef01234567";
  const dir = dirWithConfig(`{"server":{"api_keys":[${secret}]}}`);
  let message = "";
  try {
    loadConfig({ cwd: dir, env: { HOME: home, MAXIMIZE_CONFIG: join(dir, "config.json") } });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toContain("is not valid JSON");
  expect(message).not.toContain(secret);
});
