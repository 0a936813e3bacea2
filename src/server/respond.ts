import type { ApiError } from "../shared/errors.ts";

/** The OpenAI routes answer errors in OpenAI's shape; every other route in Anthropic's. */
export const isOpenAIPath = (path: string) => path.startsWith("/v1/chat/") || path === "/v1/responses" || path.startsWith("/v1/responses/");

/** The one place an error becomes a response, in the error shape of the API the route speaks. */
export function errorResponse(error: ApiError, path: string): Response {
  // Upstream's request-id when the error came from there; otherwise one of ours, marked as such.
  const requestId = error.headers["request-id"] ?? `req_maximize_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
  const body = isOpenAIPath(path) ? error.toOpenAI() : error.toAnthropic(requestId);
  return Response.json(body, { status: error.status, headers: { ...error.headers, "request-id": requestId } });
}
