import { expect, test } from "bun:test";
import { explainUpstreamError } from "../../src/upstream/policy.ts";

const body = (error: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify({ type: "error", error }));

test.each<[string, number, Record<string, unknown>, RegExp | undefined]>([
  [
    "version too old, by code",
    400,
    { type: "invalid_request_error", message: "x", details: { error_code: "claude_code_version_too_old" } },
    /claude update/,
  ],
  [
    "identity refusal, by message",
    400,
    {
      type: "invalid_request_error",
      message: "This credential is only authorized for use with Claude Code and cannot be used for other API requests.",
    },
    /Claude Code-shaped/,
  ],
  [
    "third-party extra usage",
    400,
    { type: "invalid_request_error", message: "Third-party apps now draw from your extra usage, not your plan limits." },
    /extra usage/,
  ],
  ["credits required", 429, { type: "rate_limit_error", message: "x", details: { error_code: "credits_required" } }, /usage credits/],
  ["long context", 429, { type: "rate_limit_error", message: "Extra usage is required for long context requests." }, /long-context/],
  [
    "an unknown error code is still named",
    400,
    { type: "invalid_request_error", message: "x", details: { error_code: "new_thing" } },
    /new_thing/,
  ],
  ["an ordinary error is not explained", 400, { type: "invalid_request_error", message: "max_tokens: Field required" }, undefined],
])("%s", (_name, status, error, expected) => {
  const explained = explainUpstreamError(status, body(error));
  if (expected) expect(explained).toMatch(expected);
  else expect(explained).toBeUndefined();
});

test("a rejected plan names the window and the reset", () => {
  const headers = new Headers({
    "anthropic-ratelimit-unified-status": "rejected",
    "anthropic-ratelimit-unified-representative-claim": "seven_day",
    "anthropic-ratelimit-unified-reset": "1800000000",
  });
  expect(explainUpstreamError(429, body({ type: "rate_limit_error", message: "x" }), headers)).toBe(
    `the subscription's 7-day limit is used up until ${new Date(1_800_000_000_000).toISOString()} — wait for the reset, or add another account or extra usage`,
  );
});

test("a body that is not JSON is not explained", () => {
  expect(explainUpstreamError(500, new TextEncoder().encode("<html>"))).toBeUndefined();
});
