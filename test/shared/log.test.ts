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
