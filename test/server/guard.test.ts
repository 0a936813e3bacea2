import { describe, expect, test } from "bun:test";
import { createBrowserGuard, createKeyGuard, isLoopback, presentedKey } from "../../src/server/guard.ts";
import { ApiError } from "../../src/shared/errors.ts";

const request = (headers: Record<string, string>) => new Request("http://127.0.0.1:8081/v1/messages", { headers });

describe("the proxy key guard", () => {
  const keys = [
    { key: "first-key-123", name: "first" },
    { key: "second-key-456", name: "second" },
  ];
  const guard = createKeyGuard(keys);
  test.each<[string, Record<string, string>, string | number]>([
    ["x-api-key", { "x-api-key": "second-key-456" }, "second"],
    ["bearer", { authorization: "Bearer first-key-123" }, "first"],
    ["missing", {}, 401],
    ["wrong", { "x-api-key": "nope-nope-nope" }, 401],
    ["a prefix of a key", { "x-api-key": "first-key" }, 401],
  ])("%s", (_name, headers, expected) => {
    const result = guard(request(headers), "/v1/messages");
    expect(result instanceof ApiError ? result.status : result?.name).toBe(expected);
  });
  test("open paths and no keys configured", () => {
    expect(guard(request({}), "/healthz")).toBeUndefined();
    expect(createKeyGuard([])(request({}), "/v1/messages")).toBeUndefined();
  });
  test("presentedKey trims and prefers x-api-key", () => {
    expect(presentedKey(new Headers({ "x-api-key": " k ", authorization: "Bearer b" }))).toBe("k");
    expect(presentedKey(new Headers({ authorization: "bearer b " }))).toBe("b");
    expect(presentedKey(new Headers({ authorization: "Basic x" }))).toBeUndefined();
  });
});

describe("the browser guard", () => {
  test.each<[string, boolean, Record<string, string>, string, number | undefined]>([
    ["a program on loopback", true, {}, "127.0.0.1", undefined],
    ["a web page (Origin)", true, { origin: "https://evil.example" }, "127.0.0.1", 403],
    ["DNS rebinding (a non-loopback Host on a loopback server)", true, {}, "evil.example", 403],
    ["any Host when listening beyond loopback", false, {}, "proxy.lan", undefined],
  ])("%s", (_name, loopback, headers, host, status) => {
    expect(createBrowserGuard(loopback)(request(headers), "/v1/messages", host)?.status).toBe(status as never);
  });
});

test.each([
  ["127.0.0.1", true],
  ["127.1.2.3", true],
  ["localhost", true],
  ["::1", true],
  ["[::1]", true],
  ["0.0.0.0", false],
  ["192.168.1.2", false],
])("isLoopback(%p) = %p", (address, expected) => {
  expect(isLoopback(address)).toBe(expected);
});
