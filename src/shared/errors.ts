/**
 * Errors maximize itself produces. One class carries the HTTP status and the Anthropic error type;
 * it renders itself in the Anthropic shape or the OpenAI shape, depending on the route that failed.
 */

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "billing_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

/** Each Anthropic error type and the status it comes with (protocol.md §3). */
const STATUS_BY_TYPE: Readonly<Record<AnthropicErrorType, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};
const TYPE_BY_STATUS = new Map(Object.entries(STATUS_BY_TYPE).map(([type, status]) => [status, type as AnthropicErrorType]));

export function anthropicErrorType(status: number): AnthropicErrorType {
  return TYPE_BY_STATUS.get(status) ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

/** The status for an error type named in an upstream body or stream event (unknown types: 500). */
export function statusForErrorType(type: string): number {
  return Object.hasOwn(STATUS_BY_TYPE, type) ? STATUS_BY_TYPE[type as AnthropicErrorType] : 500;
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: AnthropicErrorType;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  /** Anthropic's `error.details` (e.g. `{error_code: "credits_required"}`), kept whole when an upstream error is re-shaped. */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    status: number,
    message: string,
    options: { type?: AnthropicErrorType; param?: string; headers?: Record<string, string>; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.type = options.type ?? anthropicErrorType(status);
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }

  toAnthropic(requestId?: string) {
    const error = { type: this.type, message: this.message, ...(this.details ? { details: this.details } : {}) };
    return { type: "error", error, ...(requestId ? { request_id: requestId } : {}) } as const;
  }

  /** OpenAI's shape; Anthropic's error code (when it gave one) is the `code`, its details ride along. */
  toOpenAI() {
    const errorCode = typeof this.details?.error_code === "string" ? this.details.error_code : undefined;
    const error = { message: this.message, type: openAIErrorType(this.status), param: this.param, code: errorCode ?? this.type };
    return { error: this.details ? { ...error, details: this.details } : error };
  }
}

/** The OpenAI `error.type` family for an HTTP status. */
export function openAIErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

export const notLoggedIn = () =>
  new ApiError(401, "maximize is not logged in to Claude: run `maximize login` on the machine running the proxy.");
