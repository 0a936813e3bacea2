import { ApiError, anthropicErrorType, type AnthropicErrorType } from "../shared/errors.ts";
import { downstreamHeaders } from "./headers.ts";

/**
 * Reads a non-2xx upstream answer into an ApiError that keeps the upstream status, error type, message
 * and the headers clients need (retry-after, request-id, rate limits). Used where the body must be
 * re-shaped (the OpenAI route); the Anthropic route passes upstream errors through byte for byte.
 */
export async function apiErrorFromUpstream(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  let type: AnthropicErrorType = anthropicErrorType(response.status);
  let message = text.trim() || `upstream answered HTTP ${response.status}`;
  let details: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text) as { error?: { type?: string; message?: string; details?: unknown } };
    if (parsed.error?.message) message = parsed.error.message;
    if (parsed.error?.type) type = parsed.error.type as AnthropicErrorType;
    if (typeof parsed.error?.details === "object" && parsed.error.details !== null)
      details = parsed.error.details as Record<string, unknown>;
  } catch {
    // not JSON: keep the raw text as the message
  }
  const headers = Object.fromEntries(downstreamHeaders(response.headers));
  delete headers["content-type"]; // the error is re-rendered in another shape
  return new ApiError(response.status, message, { type, headers, details });
}
