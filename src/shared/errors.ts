/**
 * Errors, below every module that throws them. `UserError` is the one base class of errors a person may see: its
 * message says what happened and what to do next, and it is printed as one line, never with a stack (src/index.ts).
 * `AuthError` says why there is no usable credential, by kind; the server turns kinds into statuses in one place
 * (server/app.ts). `ApiError` carries an HTTP status and renders itself in the Anthropic or the OpenAI shape.
 */

export class UserError extends Error {
  override name = "UserError";
}

/**
 * - not_logged_in: no token file;
 * - login_dead: the refresh token was refused (or there is none and the token expired): log in again;
 * - refresh_unavailable: the token endpoint could not be reached or failed: try again later;
 * - token_file: the token file exists but cannot be used;
 * - not_refreshable: there is nothing to refresh (an API key, a long-lived token).
 */
export type AuthErrorKind = "not_logged_in" | "login_dead" | "refresh_unavailable" | "token_file" | "not_refreshable";

export class AuthError extends UserError {
  override name = "AuthError";
  constructor(
    readonly kind: AuthErrorKind,
    message: string,
  ) {
    super(message);
  }
}

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

/** Each Anthropic error type and the status it comes with (docs/PROTOCOL.md §3). */
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
  new AuthError("not_logged_in", "maximize is not logged in to Claude: run `maximize login` on the machine running the proxy.");
