/**
 * Policy, plan and version refusals as the real API sends them in 2026 (docs/PROTOCOL.md §2, §3): ready-made fault bodies a
 * test can queue with `fake.fault(POLICY_ERRORS.x)`, and the Claude Code version check the fake applies itself.
 */
import { ApiError, type ErrorDetails } from "./errors.ts";

export const IDENTITY_REFUSAL = "This credential is only authorized for use with Claude Code and cannot be used for other API requests.";
export const THIRD_PARTY_EXTRA_USAGE =
  "Third-party apps now draw from your extra usage, not your plan limits. Turn on extra usage in your Claude settings to keep using this app.";
export const LONG_CONTEXT_EXTRA_USAGE = "Extra usage is required for long context requests.";
export const CREDITS_REQUIRED =
  "This model requires usage credits on your plan. Add credits in your Claude settings, or choose another model.";

/** Requests above this many input tokens are "long context" for a subscription (billed to extra usage). */
export const LONG_CONTEXT_TOKENS = 200_000;

export interface PolicyFault {
  status: number;
  /** `request_id` is left out: the fake fills in the id of the request that receives the fault. */
  body: { type: "error"; error: { type: string; message: string; details?: ErrorDetails } };
  headers: Record<string, string>;
}

const policyFault = (status: number, type: string, message: string, details?: ErrorDetails): PolicyFault => ({
  status,
  body: { type: "error", error: details ? { type, message, details } : { type, message } },
  headers: {},
});

/** Queue one with `fake.fault(POLICY_ERRORS.credits_required)` (a StatusFault: add `times`, `route` as needed). */
export const POLICY_ERRORS = {
  claude_code_version_too_old: policyFault(400, "invalid_request_error", versionTooOldMessage("2.0.0", "2.1.0"), {
    error_code: "claude_code_version_too_old",
  }),
  identity_refusal: policyFault(400, "invalid_request_error", IDENTITY_REFUSAL),
  third_party_extra_usage: policyFault(400, "invalid_request_error", THIRD_PARTY_EXTRA_USAGE),
  credits_required: policyFault(429, "rate_limit_error", CREDITS_REQUIRED, { error_code: "credits_required" }),
  long_context_extra_usage: policyFault(429, "rate_limit_error", LONG_CONTEXT_EXTRA_USAGE),
} as const satisfies Record<string, PolicyFault>;

function versionTooOldMessage(version: string, minimum: string): string {
  return (
    `Claude Code ${version} is older than the minimum version this model or organization requires (${minimum}). ` +
    "Update Claude Code (`claude update`), then retry."
  );
}

const parseVersion = (text: string) => text.split(".").map((part) => Number.parseInt(part, 10) || 0);

function older(version: string, minimum: string): boolean {
  const [a, b] = [parseVersion(version), parseVersion(minimum)];
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference < 0;
  }
  return false;
}

/** Only a Claude Code user-agent (`claude-cli/X.Y.Z (…)`) is held to the minimum; other clients are not checked. */
export function checkClaudeCodeVersion(userAgent: string | null, minimum: string): void {
  const version = /^claude-cli\/(\d+(?:\.\d+)*)/.exec(userAgent ?? "")?.[1];
  if (version === undefined || !older(version, minimum)) return;
  throw new ApiError(400, versionTooOldMessage(version, minimum), "invalid_request_error", {
    details: { error_code: "claude_code_version_too_old" },
  });
}
