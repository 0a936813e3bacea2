import { describe, expect, test } from "bun:test";
import { endStream, formatAccessLine, formatDuration, writeAccessLine, type AccessNote } from "../../src/server/access-log.ts";
import { createLogger, type LogLevel } from "../../src/shared/log.ts";

const logged = (level: LogLevel) => {
  const lines: string[] = [];
  return { lines, log: createLogger({ level, write: (line) => lines.push(line) }) };
};

describe("formatAccessLine", () => {
  test("durations: milliseconds below a second, seconds with two decimals from there", () => {
    expect(formatDuration(12.4)).toBe("12ms");
    expect(formatDuration(1034)).toBe("1.03s");
  });

  test("a stream: time to headers, total time, how it ended", () => {
    const note: AccessNote = { model: "m→claude-opus-5-5@high", streaming: true, upstreamStatus: 200 };
    endStream(note, "complete");
    const line = { method: "POST", path: "/v1/messages", status: 200, note, headersMs: 12, totalMs: 1030 };
    expect(formatAccessLine(line)).toBe("POST /v1/messages 200 model=m→claude-opus-5-5@high headers 12ms total 1.03s stream completed");
  });

  test("a stream ends once: the first outcome stays", () => {
    const note: AccessNote = { streaming: true };
    endStream(note, "upstream_error", "overloaded_error");
    endStream(note, "client_closed");
    expect(note.end).toEqual({ outcome: "upstream_error", errorType: "overloaded_error" });
  });
});

describe("writeAccessLine: the level says whether someone should look", () => {
  test.each([
    ["a whole answer: INFO", { status: 200, note: { model: "l→x" } }, "INFO"],
    ["a client's own 400: INFO", { status: 400, errorType: "invalid_request_error" }, "INFO"],
    ["Anthropic's 429: WARN", { status: 429, errorType: "rate_limit_error", note: { upstreamStatus: 429 } }, "WARN"],
    [
      "no login (401 from maximize): WARN",
      { status: 401, errorType: "authentication_error", note: { errorType: "authentication_error" } },
      "WARN",
    ],
    ["a wrong proxy key (the guard's 401, a client's mistake): INFO", { status: 401, errorType: "authentication_error" }, "INFO"],
    ["maximize's own 502: WARN", { status: 502, errorType: "api_error" }, "WARN"],
    ["a stream failed midway: WARN", { status: 200, totalMs: 5, note: { streaming: true, end: { outcome: "upstream_error" } } }, "WARN"],
    ["a stream that went silent: WARN", { status: 200, totalMs: 5, note: { streaming: true, end: { outcome: "idle_timeout" } } }, "WARN"],
    ["a stream the client left: INFO", { status: 200, totalMs: 5, note: { streaming: true, end: { outcome: "client_closed" } } }, "INFO"],
    [
      "a stream the shutdown cut: INFO",
      { status: 200, totalMs: 5, note: { streaming: true, end: { outcome: "server_shutdown" } } },
      "INFO",
    ],
  ] as const)("%s", (_name, line, level) => {
    const { lines, log } = logged("debug");
    writeAccessLine(log, { method: "POST", path: "/v1/messages", headersMs: 1, ...line } as Parameters<typeof writeAccessLine>[1]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(` ${level} `);
  });

  test("at log level warn, a success writes nothing and a failure still does", () => {
    const { lines, log } = logged("warn");
    writeAccessLine(log, { method: "POST", path: "/v1/messages", status: 200, note: {}, headersMs: 1 });
    expect(lines).toHaveLength(0);
    writeAccessLine(log, {
      method: "POST",
      path: "/v1/messages",
      status: 529,
      note: { upstreamStatus: 529 },
      headersMs: 1,
      errorType: "overloaded_error",
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("529 overloaded_error from Anthropic");
  });
});
