/** Error shapes: the Anthropic API's `{"type":"error",...}` and the token endpoint's OAuth `{"error",...}`. */

const typeByStatus: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

const defaultMessages: Record<string, string> = {
  invalid_request_error: "Invalid request",
  authentication_error: "invalid x-api-key",
  billing_error: "Your credit balance is too low to access the Anthropic API.",
  permission_error: "Your API key does not have permission to use the specified resource.",
  not_found_error: "Not found",
  request_too_large: "Request exceeds the maximum allowed number of bytes.",
  rate_limit_error: "Number of request tokens has exceeded your per-minute rate limit",
  api_error: "Internal server error",
  timeout_error: "Request timed out",
  overloaded_error: "Overloaded",
};

export function errorTypeFor(status: number): string {
  return typeByStatus[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

/** The HTTP status the API uses for an error type (inverse of errorTypeFor; unknown types → 500). */
export function statusForType(type: string): number {
  const entry = Object.entries(typeByStatus).find(([, t]) => t === type);
  return entry ? Number(entry[0]) : 500;
}

/** `error.details` of the 2026 API: a machine-readable code (the SDK maps `${status} ${error_code}` to an error class). */
export type ErrorDetails = { error_code: string } & Record<string, unknown>;

/** An Anthropic API error that carries its status (and any details and headers) and renders itself. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly details: ErrorDetails | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    type: string = errorTypeFor(status),
    extra: { details?: ErrorDetails; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.type = type;
    this.details = extra.details;
    this.headers = extra.headers ?? {};
  }

  body(requestId: string) {
    return errorBody(this.type, this.message, requestId, this.details);
  }
}

/** An OAuth token-endpoint error: `{"error":code,"error_description":description}`. */
export class OAuthError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, description: string) {
    super(description);
    this.name = "OAuthError";
    this.status = status;
    this.code = code;
  }

  body() {
    return { error: this.code, error_description: this.message };
  }
}

export function fail(message: string, status = 400): never {
  throw new ApiError(status, message);
}

export function errorBody(type: string, message: string, requestId: string, details?: ErrorDetails) {
  const error = details ? { type, message, details } : { type, message };
  return { type: "error", error, request_id: requestId };
}

export function defaultErrorBody(status: number, requestId: string) {
  const type = errorTypeFor(status);
  return errorBody(type, defaultMessages[type] ?? "Error", requestId);
}

const oauthCodeByStatus: Record<number, string> = {
  400: "invalid_grant",
  401: "invalid_client",
  403: "access_denied",
  429: "rate_limit_exceeded",
};

export function defaultOAuthErrorBody(status: number) {
  const code = oauthCodeByStatus[status] ?? (status >= 500 ? "server_error" : "invalid_request");
  return { error: code, error_description: `Injected ${status} from the fake token endpoint` };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}
