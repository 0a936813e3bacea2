import { Elysia, ValidationError } from "elysia";
import { ApiError, AuthError, type AuthErrorKind } from "../shared/errors.ts";
import { redact } from "../shared/log.ts";
import { type AccessNote, releaseKey, writeAccessLine } from "./access-log.ts";
import { createKeyLimiter } from "./key-limits.ts";
import { requestGuards } from "./guard.ts";
import { pathOf } from "./paths.ts";
import { errorResponse } from "./respond.ts";
import { routeTable, type RouteTable } from "./route-table.ts";
import type { AppDeps, RecentError, RouteDeps } from "./deps.ts";
import { messagesRoutes } from "./routes/messages.ts";
import { modelsRoutes } from "./routes/models.ts";
import { openaiRoutes } from "./routes/openai.ts";
import { pageRoutes } from "./routes/page.ts";
import { responsesRoutes } from "./routes/responses.ts";
import { statusRoutes } from "./routes/status.ts";

export type { AppDeps } from "./deps.ts";

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

function toApiError(code: string | number, error: unknown, request: Request, table: RouteTable): ApiError {
  const method = request.method;
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
    const route = table.match(path);
    const allowed = route ? table.methods(route) : [];
    if (allowed.length > 0 && !allowed.includes(method)) {
      return new ApiError(405, `${method} is not allowed on ${path}; use ${allowed.join(" or ")}`, {
        headers: { allow: allowed.join(", ") },
      });
    }
    return new ApiError(404, `no route for ${method} ${path} — maximize serves ${table.routes.join(", ")}`);
  }
  return new ApiError(500, `maximize failed: ${(error as Error)?.message ?? String(error)}`);
}

const RECENT_ERRORS = 20;

/** Polled by monitors and the status page: not worth an access-log line each time (errors still count in /metrics). */
const QUIET_PATHS = new Set(["/healthz", "/metrics", "/usage", "/status.json", "/accounts"]);

/** An error answer's type and message, read from a copy of its body (errors only, so the cost is theirs). */
async function errorOf(response: Response): Promise<{ type?: string; message?: string }> {
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as { error?: { type?: unknown; message?: unknown } } | undefined;
  return {
    type: typeof body?.error?.type === "string" ? body.error.type : undefined,
    message: typeof body?.error?.message === "string" ? body.error.message : undefined,
  };
}

/** Keeps an error's route, status and message for the status page. */
function noteError(errors: RecentError[], route: string, status: number, message: string | undefined): void {
  errors.unshift({ at: new Date().toISOString(), route, status, message: message ? redact(message).slice(0, 300) : `HTTP ${status}` });
  errors.length = Math.min(errors.length, RECENT_ERRORS);
}

/**
 * The HTTP app (no listening here). `handle` is the entry point: it adds the access-log line (access-log.ts) and metrics.
 */
export function createApp(deps: AppDeps) {
  const notes = new WeakMap<Request, AccessNote>();
  const access = (request: Request): AccessNote => {
    const known = notes.get(request);
    if (known) return known;
    const note: AccessNote = {};
    notes.set(request, note);
    return note;
  };
  const errors: RecentError[] = [];
  const routeDeps: RouteDeps = { ...deps, access, recentErrors: () => [...errors] };

  let table: RouteTable = routeTable([]);
  const app = new Elysia({ name: "maximize" })
    .error({ ApiError })
    .use(requestGuards(deps.config.server, { limiter: createKeyLimiter(), access, onAdmission: deps.metrics.keyRequest }))
    .onError(({ code, error, request }) => {
      const apiError = toApiError(code, error, request, table);
      access(request).errorType = apiError.type;
      if (apiError.status >= 500 && !(error instanceof ApiError) && !(error instanceof AuthError))
        deps.log.error((error as Error)?.stack ?? String(error));
      // The upstream could not be reached or gave up: the access line says only "502", this says why.
      else if (error instanceof ApiError && (apiError.status === 502 || apiError.status === 504))
        deps.log.warn(`${request.method} ${pathOf(request.url)}: ${apiError.message}`);
      return errorResponse(apiError, pathOf(request.url));
    })
    .use(pageRoutes(routeDeps))
    .use(statusRoutes(routeDeps))
    .use(messagesRoutes(routeDeps))
    .use(openaiRoutes(routeDeps))
    .use(responsesRoutes(routeDeps))
    .use(modelsRoutes(routeDeps));
  table = routeTable(app.routes);

  /** The error answer's line (warn or info) and its entry among the recent errors, once its body has been read. */
  async function answeredError(request: Request, path: string, response: Response, headersMs: number): Promise<void> {
    const note = notes.get(request);
    // Read before waiting: once the answer is on its way, its headers are no longer ours to read.
    const requestId = (note?.upstreamStatus ?? 0) >= 400 ? response.headers.get("request-id") : undefined;
    const { type, message } = await errorOf(response);
    noteError(errors, path, response.status, message);
    if (QUIET_PATHS.has(path)) return;
    writeAccessLine(deps.log, {
      method: request.method,
      path,
      status: response.status,
      note,
      headersMs,
      errorType: note?.errorType ?? type ?? `HTTP ${response.status}`,
      requestId,
    });
  }

  async function handle(request: Request): Promise<Response> {
    const started = performance.now();
    const response = await app.handle(request);
    const headersMs = performance.now() - started;
    const path = pathOf(request.url);
    deps.metrics.request(table.match(path) ?? "other", response.status, headersMs / 1000);
    const note = notes.get(request);
    // A proxy key's slot is free once the answer is sent; a stream's when it ends (endStream frees it).
    if (!note?.streaming || note.end || response.status >= 400) releaseKey(note);
    if (response.status >= 400) {
      void answeredError(request, path, response, headersMs);
      return response;
    }
    if (QUIET_PATHS.has(path)) return response;
    // Anthropic's request-id (passed through to the client) goes in the JSON log's fields; read only if a line is written.
    const requestId = note?.upstreamStatus !== undefined && deps.log.enabled("info") ? response.headers.get("request-id") : undefined;
    const line = { method: request.method, path, status: response.status, note, headersMs, requestId };
    if (note?.streaming) {
      // The line waits for the stream's end (how it ended decides its level), unless it has ended already.
      const write = () => writeAccessLine(deps.log, { ...line, totalMs: performance.now() - started });
      if (note.end) write();
      else note.onEnd = write;
    } else if (deps.log.enabled("info")) writeAccessLine(deps.log, line);
    return response;
  }

  return { app, handle };
}
