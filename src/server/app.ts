import { Elysia, ValidationError } from "elysia";
import { MAX_BODY_BYTES } from "./body.ts";
import { ApiError, AuthError, type AuthErrorKind } from "../shared/errors.ts";
import { createBrowserGuard, createKeyGuard, isLoopback } from "./guard.ts";
import { pathOf, routedPath } from "./paths.ts";
import type { AppDeps, RouteDeps } from "./deps.ts";
import { messagesRoutes } from "./routes/messages.ts";
import { modelsRoutes } from "./routes/models.ts";
import { openaiRoutes } from "./routes/openai.ts";
import { statusRoutes } from "./routes/status.ts";

export type { AppDeps } from "./deps.ts";

const KNOWN_PATHS = new Map<string, string>([
  ["/v1/messages", "POST"],
  ["/v1/messages/count_tokens", "POST"],
  ["/v1/chat/completions", "POST"],
  ["/v1/models", "GET"],
  ["/healthz", "GET"],
  ["/auth/status", "GET"],
  ["/metrics", "GET"],
]);

/** JSON bodies only; a missing content-type is accepted as JSON (many minimal clients omit it). */
const isJsonContentType = (type: string | null) => !type || /^application\/([\w.+-]*\+)?json\b/i.test(type.trim());

const isOpenAIPath = (path: string) => path.startsWith("/v1/chat/");

/** The one place an error becomes a response, in the error shape of the API the route speaks. */
export function errorResponse(error: ApiError, path: string): Response {
  // Upstream's request-id when the error came from there; otherwise one of ours, marked as such.
  const requestId = error.headers["request-id"] ?? `req_maximize_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
  const body = isOpenAIPath(path) ? error.toOpenAI() : error.toAnthropic(requestId);
  return Response.json(body, { status: error.status, headers: { ...error.headers, "request-id": requestId } });
}

function describeValidation(error: ValidationError): string {
  const first = error.all[0] as { path?: string; summary?: string; message?: string } | undefined;
  return first?.message ?? first?.summary ?? "the request body is not what this endpoint accepts";
}

/** Why there is no usable credential → the status a client gets (the one place this is decided). */
const AUTH_STATUS: Readonly<Record<AuthErrorKind, { status: number; headers?: Record<string, string> }>> = {
  not_logged_in: { status: 401 },
  login_dead: { status: 401 },
  not_refreshable: { status: 401 },
  refresh_unavailable: { status: 503 },
  // Not a passing fault: tell SDKs not to retry it.
  token_file: { status: 500, headers: { "x-should-retry": "false" } },
};

function toApiError(code: string | number, error: unknown, request: Request, method: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof AuthError) {
    const { status, headers } = AUTH_STATUS[error.kind];
    return new ApiError(status, error.message, { headers, type: status === 503 ? "api_error" : undefined });
  }
  if (code === "PARSE") {
    // Elysia wraps whatever the body parser threw; ours throws ApiErrors with the precise reason.
    const cause = (error as Error).cause;
    return cause instanceof ApiError ? cause : new ApiError(400, "the request body is not valid JSON");
  }
  if (error instanceof ValidationError) return new ApiError(400, describeValidation(error));
  if (code === "NOT_FOUND") {
    const path = pathOf(request.url);
    const allowed = KNOWN_PATHS.get(path);
    if (allowed && allowed !== method) {
      return new ApiError(405, `${method} is not allowed on ${path}; use ${allowed}`, { headers: { allow: allowed } });
    }
    return new ApiError(404, `no route for ${method} ${path} — maximize serves /v1/messages, /v1/messages/count_tokens, /v1/chat/completions, /v1/models, /healthz`);
  }
  return new ApiError(500, `maximize failed: ${(error as Error)?.message ?? String(error)}`);
}

/**
 * The HTTP app (no listening here). `handle` is the entry point: it adds the access-log line and metrics.
 */
export function createApp(deps: AppDeps) {
  const models = new WeakMap<Request, string>();
  const routeDeps: RouteDeps = { ...deps, noteModel: (request, model) => models.set(request, model) };

  const guard = createKeyGuard(deps.config.server.api_keys);
  const browserGuard = createBrowserGuard(isLoopback(deps.config.server.bind_address));

  const app = new Elysia({ name: "maximize" })
    .error({ ApiError })
    .onRequest(({ request }) => {
      // The one full URL parse per request; everything after goes by the cheap routed path.
      const url = new URL(request.url);
      if (routedPath(request.url) !== url.pathname) {
        return errorResponse(new ApiError(400, "malformed request target or Host header: send a normalised path and a host name such as 127.0.0.1:8081"), "/");
      }
      const path = pathOf(request.url);
      const refused = browserGuard(request, path, url.hostname) ?? guard(request, path);
      if (refused) return errorResponse(refused, path);
      if (request.method === "POST" && !isJsonContentType(request.headers.get("content-type"))) {
        const type = request.headers.get("content-type");
        return errorResponse(new ApiError(415, `content-type ${type} is not supported: send the body as JSON with content-type: application/json`), path);
      }
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > MAX_BODY_BYTES) {
        return errorResponse(new ApiError(413, `request body is ${length} bytes; the limit is ${MAX_BODY_BYTES} bytes (32 MB)`), path);
      }
    })
    .onError(({ code, error, request }) => {
      const apiError = toApiError(code, error, request, request.method);
      if (apiError.status >= 500 && !(error instanceof ApiError) && !(error instanceof AuthError)) deps.log.error((error as Error)?.stack ?? String(error));
      return errorResponse(apiError, pathOf(request.url));
    })
    .use(statusRoutes(routeDeps))
    .use(messagesRoutes(routeDeps))
    .use(openaiRoutes(routeDeps))
    .use(modelsRoutes(routeDeps));

  async function handle(request: Request): Promise<Response> {
    const started = performance.now();
    const response = await app.handle(request);
    const seconds = (performance.now() - started) / 1000;
    const path = pathOf(request.url);
    deps.metrics.request(KNOWN_PATHS.has(path) ? path : "other", response.status, seconds);
    if (path !== "/healthz" && path !== "/metrics" && deps.log.enabled("info")) {
      const model = models.get(request);
      deps.log.info(`${request.method} ${path}${model ? ` model=${model}` : ""} ${response.status} ${(seconds * 1000).toFixed(0)}ms`);
    }
    return response;
  }

  return { app, handle };
}
