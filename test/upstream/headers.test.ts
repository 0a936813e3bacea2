import { describe, expect, test } from "bun:test";
import { DEFAULT_OAUTH_BETAS } from "../../src/config/defaults.ts";
import { downstreamHeaders, MAXIMIZE_USER_AGENT, upstreamHeaders, type HeaderOptions } from "../../src/upstream/headers.ts";

const oauth = { headers: { authorization: "Bearer sk-ant-oat01-secret" }, oauth: true };
const apiKey = { headers: { "x-api-key": "sk-ant-api03-secret" }, oauth: false };
const defaults: HeaderOptions = { oauthBetas: DEFAULT_OAUTH_BETAS, model: "claude-sonnet-5-5", line: "sonnet" };

describe("upstreamHeaders", () => {
  test("OAuth: bearer, betas merged, one anthropic-version, maximize's own user-agent", () => {
    const client = new Headers({
      "x-api-key": "client-key",
      authorization: "Bearer client-token",
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "oauth-2025-04-20,files-api-2025-04-14",
      cookie: "a=b",
    });
    const headers = upstreamHeaders(client, oauth, defaults);
    expect(headers.get("authorization")).toBe("Bearer sk-ant-oat01-secret");
    expect(headers.get("x-api-key")).toBeNull();
    expect(headers.get("cookie")).toBeNull();
    expect(headers.get("anthropic-version")).toBe("2023-06-01");
    expect(headers.get("anthropic-beta")?.split(",")).toEqual([
      "oauth-2025-04-20",
      "claude-code-20250219",
      "interleaved-thinking-2025-05-14",
      "files-api-2025-04-14",
    ]);
    expect(headers.get("user-agent")).toBe(MAXIMIZE_USER_AGENT);
    expect(headers.get("x-app")).toBeNull();
  });

  test("no deprecated beta is sent by default", () => {
    const betas = upstreamHeaders(new Headers(), oauth, defaults).get("anthropic-beta") ?? "";
    expect(betas).not.toContain("fine-grained-tool-streaming-2025-05-14");
  });

  test.each([
    ["a Haiku model by line", { line: "haiku", model: "claude-x" }, false],
    ["a Haiku model by id when the line is unknown", { model: "claude-haiku-5-5" }, false],
    ["a Sonnet model", { line: "sonnet", model: "claude-sonnet-5-5" }, true],
  ])("claude-code beta for %s: %p", (_name, model, expected) => {
    const betas = upstreamHeaders(new Headers(), oauth, { oauthBetas: DEFAULT_OAUTH_BETAS, ...model }).get("anthropic-beta") ?? "";
    expect(betas.split(",").includes("claude-code-20250219")).toBe(expected);
    expect(betas.split(",")).toContain("oauth-2025-04-20");
  });

  test("api.oauth_betas replaces the default list", () => {
    const headers = upstreamHeaders(new Headers(), oauth, { oauthBetas: ["oauth-2025-04-20", "new-beta-2027-01-01"] });
    expect(headers.get("anthropic-beta")).toBe("oauth-2025-04-20,new-beta-2027-01-01");
  });

  test("Claude Code's own user-agent and x-app pass through; api.user_agent is used for everyone else", () => {
    const claude = new Headers({ "user-agent": "claude-cli/2.1.332 (external, cli)", "x-app": "cli" });
    const fromClaude = upstreamHeaders(claude, oauth, { ...defaults, userAgent: "custom/1" });
    expect(fromClaude.get("user-agent")).toBe("claude-cli/2.1.332 (external, cli)");
    expect(fromClaude.get("x-app")).toBe("cli");
    const fromSdk = upstreamHeaders(new Headers({ "user-agent": "Anthropic/JS 1.12.0", "x-app": "x" }), oauth, {
      ...defaults,
      userAgent: "custom/1",
    });
    expect(fromSdk.get("user-agent")).toBe("custom/1");
    expect(fromSdk.get("x-app")).toBeNull();
  });

  test.each([
    ["absent", undefined, "2023-06-01"],
    ["given", "2026-10-21", "2026-10-21"],
    ["duplicated by a client", "2023-06-01, 2023-06-01", "2023-06-01"],
  ])("anthropic-version %s", (_name, given, expected) => {
    const client = new Headers(given ? { "anthropic-version": given } : {});
    expect(upstreamHeaders(client, oauth, defaults).get("anthropic-version")).toBe(expected);
  });

  test("API key: x-api-key from maximize's config, client's betas only, no bearer", () => {
    const headers = upstreamHeaders(new Headers({ "anthropic-beta": "x", authorization: "Bearer c" }), apiKey, defaults);
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
