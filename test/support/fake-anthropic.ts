/**
 * A faithful local fake of the Anthropic API for tests: a real HTTP server on 127.0.0.1 that enforces what the real
 * API enforces for OAuth (subscription) and API-key callers, answers deterministically, and replays scripted faults.
 *
 * Rules worth knowing when writing tests:
 * - /v1 faults are consumed only by requests that pass authentication and validation (a malformed request still gets
 *   its real error, and the fault stays queued); token-route faults apply before the grant is looked at.
 * - Base64 images must really be images of their media_type (the real API checks the bytes): use TINY_PNG_BASE64.
 * - OpenAI-only body fields (n, stop, user, stream_options, …) are refused as "Extra inputs are not permitted";
 *   other unknown fields pass.
 */
import { FakeServer } from "./fake-anthropic/server.ts";
import type { FakeAnthropic, StartOptions } from "./fake-anthropic/types.ts";

export type {
  FakeAnthropic,
  Fault,
  FaultRoute,
  RecordedRequest,
  StartOptions,
  TokenPair,
} from "./fake-anthropic/types.ts";
export { DEFAULT_MODELS } from "./fake-anthropic/models.ts";
export { CLIENT_ID, REDIRECT_URI, pkceChallenge } from "./fake-anthropic/oauth.ts";
export { OAUTH_BETA } from "./fake-anthropic/headers.ts";
export { IDENTITY } from "./fake-anthropic/request.ts";

/** A 1×1 PNG, base64: an image block the fake (like the real API) accepts. */
export const TINY_PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

export async function startFakeAnthropic(options: StartOptions = {}): Promise<FakeAnthropic> {
  return new FakeServer(options);
}
