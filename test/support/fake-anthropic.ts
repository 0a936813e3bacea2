/**
 * A faithful local fake of the Anthropic API (as of December 2026) for tests: a real HTTP server on 127.0.0.1 that
 * enforces what the real API enforces for OAuth (subscription) and API-key callers, answers deterministically, and
 * replays scripted faults.
 *
 * Rules worth knowing when writing tests:
 * - /v1 faults are consumed only by requests that pass authentication and validation (a malformed request still gets
 *   its real error, and the fault stays queued); token-route faults apply before the grant is looked at.
 * - Base64 images must really be images of their media_type (the real API checks the bytes): use TINY_PNG_BASE64.
 * - OpenAI-only body fields (n, stop, user, stream_options, …) are refused as "Extra inputs are not permitted";
 *   other unknown fields pass.
 * - Credentials: x-api-key or `authorization: Bearer <key>` (what @anthropic-ai/sdk 1.x sends) for a configured key;
 *   any other Bearer is an OAuth token and needs `anthropic-beta: oauth-2025-04-20`.
 *
 * Models (fake-anthropic/catalogue.ts; a test may pass its own with `models`, and change it live with
 * releaseModel / deprecateModel / retireModel):
 * - GET /v1/models lists newest first, active + deprecated unless `lifecycle[]` asks (retired only then), with
 *   limit/after_id/before_id paging; GET /v1/models/{id} resolves aliases and still describes retired models.
 * - Inference on a retired or unknown model is 404 not_found_error "model: <id>"; max_tokens above the model's is 400.
 *
 * Request rules (per model, from its capabilities and rules):
 * - thinking: `adaptive` (display summarized|omitted; the newest models default to omitted), `enabled` with
 *   budget_tokens (refused from Opus 4.7 / Sonnet 5 on), `disabled` (refused by Opus 5.5 and Fable, which think
 *   even when `thinking` is omitted), `between_tools` (a progress thought after a tool result).
 * - Thinking blocks are signed over their shown text: one sent back edited or forged is 400 "Invalid `signature`";
 *   with thinking on, the assistant turn a trailing tool_result answers must start with its thinking block.
 * - tool_choice any/tool: refused by Opus 5.5 and Fable, and alongside thinking everywhere.
 * - output_config.effort must be a level the model lists; output_config.format {type:"json_schema", schema} (an
 *   object schema) makes the reply's text JSON built from the schema.
 * - anthropic-version 2026-10-21 refuses temperature/top_p/top_k at any value, `document` blocks in assistant turns
 *   and `citations` on user text; under 2023-06-01 only models without sampling refuse non-default values.
 * - A `user-agent: claude-cli/X.Y.Z` below `minClaudeCodeVersion` (default 2.1.0) is 400 with
 *   error.details.error_code "claude_code_version_too_old"; other user-agents are not checked.
 *
 * Subscriptions (OAuth callers only): every answer carries the plan's `anthropic-ratelimit-unified-*` headers
 * (`setPlan`); a rejected plan makes /v1/messages a 429 with retry-after; more than LONG_CONTEXT_TOKENS input tokens
 * without extra usage is 429 "Extra usage is required for long context requests."; GET /api/oauth/usage reports
 * the same state. POLICY_ERRORS holds the other policy refusals, ready for `fake.fault()` (error.details intact,
 * request_id filled in).
 *
 * Replies: usage gains output_tokens_details.thinking_tokens when the model thought; every message has
 * stop_details (null unless scripted). `fake.fault({kind:"script", content, stop_reason, stop_details, extraEvents})`
 * scripts the next reply, JSON or SSE: unknown block types stream whole in content_block_start, extra events (names
 * the SDK does not know) are spliced in. Build scripted thinking blocks with `thinkingBlock()` so they can be sent back.
 */
import { FakeServer } from "./fake-anthropic/server.ts";
import type { FakeAnthropic, StartOptions } from "./fake-anthropic/types.ts";

export type {
  FakeAnthropic,
  Fault,
  FaultRoute,
  RecordedRequest,
  ScriptedEvent,
  ScriptFault,
  StartOptions,
  StatusFault,
  TokenPair,
} from "./fake-anthropic/types.ts";
export type { EffortLevel, FakeModelInfo, Lifecycle, ModelRules, ModelSpec } from "./fake-anthropic/models.ts";
export type { PlanState, PlanUpdate, PlanWindow } from "./fake-anthropic/plan.ts";
export type { PolicyFault } from "./fake-anthropic/policy.ts";
export {
  DEFAULT_CATALOGUE,
  DEFAULT_MODELS,
  DEPRECATED_MODELS,
  RETIRED_MODELS,
} from "./fake-anthropic/catalogue.ts";
export { effortCapability } from "./fake-anthropic/models.ts";
export { CLIENT_ID, REDIRECT_URI, pkceChallenge } from "./fake-anthropic/oauth.ts";
export { OAUTH_BETA } from "./fake-anthropic/headers.ts";
export { IDENTITY } from "./fake-anthropic/request.ts";
export { POLICY_ERRORS, LONG_CONTEXT_TOKENS } from "./fake-anthropic/policy.ts";
export { signThinking, thinkingBlock } from "./fake-anthropic/thinking.ts";
export { VERSION_2026 } from "./fake-anthropic/versions.ts";

/** A 1×1 PNG, base64: an image block the fake (like the real API) accepts. */
export const TINY_PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

export async function startFakeAnthropic(options: StartOptions = {}): Promise<FakeAnthropic> {
  return new FakeServer(options);
}
