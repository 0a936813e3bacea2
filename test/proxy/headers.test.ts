import { describe, expect, test } from "bun:test";
import { downstreamHeaders, upstreamHeaders } from "../../src/proxy/headers.ts";

const oauth = { headers: { authorization: "Bearer sk-ant-oat01-secret" }, oauth: true };
const apiKey = { headers: { "x-api-key": "sk-ant-api03-secret" }, oauth: false };

describe("upstreamHeaders", () => {
  test("OAuth: bearer, betas merged, one anthropic-version, Claude Code identity headers", () => {
    const client = new Headers({
      "x-api-key": "client-key",
      authorization: "Bearer client-token",
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "oauth-2025-04-20,files-api-2025-04-14",
      cookie: "a=b",
    });
    const headers = upstreamHeaders(client, oauth);
    expect(headers.get("authorization")).toBe("Bearer sk-ant-oat01-secret");
    expect(headers.get("x-api-key")).toBeNull();
    expect(headers.get("cookie")).toBeNull();
    expect(headers.get("anthropic-version")).toBe("2023-06-01");
    expect(headers.get("anthropic-beta")?.split(",")).toEqual([
      "oauth-2025-04-20",
      "claude-code-20250219",
      "interleaved-thinking-2025-05-14",
      "fine-grained-tool-streaming-2025-05-14",
      "files-api-2025-04-14",
    ]);
    expect(headers.get("user-agent")).toMatch(/^claude-cli\/\S+ \(external, cli\)$/);
    expect(headers.get("x-app")).toBe("cli");
  });

  test.each([
    ["absent", undefined, "2023-06-01"],
    ["given", "2024-01-01", "2024-01-01"],
    ["duplicated by a client", "2023-06-01, 2023-06-01", "2023-06-01"],
  ])("anthropic-version %s", (_name, given, expected) => {
    const client = new Headers(given ? { "anthropic-version": given } : {});
    expect(upstreamHeaders(client, oauth).get("anthropic-version")).toBe(expected);
  });

  test("API key: x-api-key from maximize's config, client's betas only, no bearer", () => {
    const headers = upstreamHeaders(new Headers({ "anthropic-beta": "x", authorization: "Bearer c" }), apiKey);
    expect(headers.get("x-api-key")).toBe("sk-ant-api03-secret");
    expect(headers.get("authorization")).toBeNull();
    expect(headers.get("anthropic-beta")).toBe("x");
    expect(headers.get("x-app")).toBeNull();
  });
});

describe("downstreamHeaders", () => {
  test("keeps request-id, retry-after, rate limits and content-type; drops encoding, length, cookies", () => {
    const upstream = new Headers({
      "content-type": "application/json",
      "content-encoding": "gzip",
      "content-length": "10",
      "set-cookie": "a=b",
      "request-id": "req_1",
      "retry-after": "7",
      "x-should-retry": "true",
      "anthropic-ratelimit-unified-status": "allowed",
      "anthropic-ratelimit-requests-remaining": "5",
    });
    const headers = downstreamHeaders(upstream);
    expect(Object.fromEntries(headers)).toEqual({
      "content-type": "application/json",
      "request-id": "req_1",
      "retry-after": "7",
      "x-should-retry": "true",
      "anthropic-ratelimit-unified-status": "allowed",
      "anthropic-ratelimit-requests-remaining": "5",
    });
  });

  test("SSE answers are marked uncacheable and unbuffered", () => {
    const headers = downstreamHeaders(new Headers({ "content-type": "text/event-stream; charset=utf-8" }));
    expect(headers.get("cache-control")).toBe("no-cache");
    expect(headers.get("x-accel-buffering")).toBe("no");
  });
});
