import { describe, expect, test } from "bun:test";
import { createLogger, redact } from "../../src/shared/log.ts";

describe("redact", () => {
  test.each([
    ["an OAuth access token", "token sk-ant-oat01-AbCdEf_123-xyz expired", "token sk-ant-oat01-[redacted] expired"],
    ["a refresh token in JSON", '{"refresh_token":"sk-ant-ort01-QWERTY-uiop"}', '{"refresh_token":"sk-ant-ort01-[redacted]"}'],
    ["an API key", "key=sk-ant-api03-zzzzzzzzzz", "key=sk-ant-api03-[redacted]"],
    ["a bearer header", "authorization: Bearer abc.def.ghi", "authorization: Bearer [redacted]"],
    ["nothing secret", "POST /v1/messages 200", "POST /v1/messages 200"],
  ])("%s", (_name, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test("known secrets (proxy keys) are removed wherever they appear", () => {
    expect(redact("client sent my-proxy-key-123 twice: my-proxy-key-123", ["my-proxy-key-123"])).toBe(
      "client sent [redacted] twice: [redacted]",
    );
  });
});

describe("createLogger", () => {
  test("drops lines below its level and redacts the rest", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", write: (line) => lines.push(line), secrets: ["proxy-key-456"] });
    log.debug("hidden");
    log.info("using sk-ant-oat01-secretsecret with proxy-key-456");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("INFO");
    expect(lines[0]).not.toContain("secretsecret");
    expect(lines[0]).not.toContain("proxy-key-456");
    expect([log.enabled("debug"), log.enabled("info"), log.enabled("error")]).toEqual([false, true, true]);
  });
});

describe("createLogger, format json", () => {
  const jsonLogger = () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", format: "json", write: (line) => lines.push(line), secrets: ["proxy-key-456"] });
    return { log, lines, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
  };

  test("one JSON object per line: time, level, message, then the fields; undefined fields left out", () => {
    const { log, lines, entries } = jsonLogger();
    log.warn("POST /v1/messages 429", { status: 429, model: "claude-opus-5-5", error_type: undefined });
    expect(lines[0]).toEndWith("}\n");
    expect(lines[0]!.trimEnd()).not.toContain("\n");
    const [entry] = entries();
    expect(entry).toEqual({
      status: 429,
      model: "claude-opus-5-5",
      time: expect.any(String),
      level: "warn",
      message: "POST /v1/messages 429",
    });
    expect(Number.isNaN(Date.parse(String(entry!.time)))).toBe(false);
  });

  test("a field cannot overwrite time, level or message", () => {
    const { log, entries } = jsonLogger();
    log.info("real", { level: "debug", message: "fake", time: "never" });
    expect(entries()[0]).toMatchObject({ level: "info", message: "real" });
    expect(entries()[0]!.time).not.toBe("never");
  });

  test("secrets are redacted in the message and in fields; no colour codes", () => {
    const { log, lines } = jsonLogger();
    log.info("using sk-ant-oat01-secretsecret with proxy-key-456", { header: "Bearer abc.def.ghi", key: "proxy-key-456" });
    expect(lines[0]).not.toContain("secretsecret");
    expect(lines[0]).not.toContain("proxy-key-456");
    expect(lines[0]).not.toContain("abc.def.ghi");
    expect(lines[0]).not.toContain("\u001b[");
    expect(() => JSON.parse(lines[0]!)).not.toThrow();
  });
});

test("fields given as a function are built only by the JSON format", () => {
  let built = 0;
  const fields = () => {
    built++;
    return { status: 200 };
  };
  const lines: string[] = [];
  createLogger({ level: "info", write: (line) => lines.push(line) }).info("text line", fields);
  expect(built).toBe(0);
  createLogger({ level: "info", format: "json", write: (line) => lines.push(line) }).info("json line", fields);
  expect(built).toBe(1);
  expect(JSON.parse(lines[1]!)).toMatchObject({ status: 200, message: "json line" });
});

describe("batchedStderr", () => {
  const LOG = JSON.stringify(new URL("../../src/shared/log.ts", import.meta.url).pathname);
  const run = (body: string) => {
    const script = `import { batchedStderr } from ${LOG};\nconst write = batchedStderr();\n${body}`;
    const child = Bun.spawnSync([process.execPath, "-e", script], { stderr: "pipe", stdout: "pipe" });
    return { code: child.exitCode, stderr: child.stderr.toString() };
  };

  test("the lines of one turn go out together, in order, once the turn ends", () => {
    expect(run('write("one\\n"); write("two\\n"); setTimeout(() => write("three\\n"), 5);').stderr).toBe("one\ntwo\nthree\n");
  });

  test("lines still pending when the process exits are written, not lost", () => {
    const result = run('write("before exit\\n"); process.exit(3);');
    expect(result.code).toBe(3);
    expect(result.stderr).toBe("before exit\n");
  });
});
