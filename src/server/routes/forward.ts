import type { RouteDeps } from "../app.ts";
import { pathOf } from "../paths.ts";

export interface ClientCall {
  /** Upstream path, query included. */
  path: string;
  body: Record<string, unknown>;
  /** The model as the client named it (for the access log). */
  model: string;
  streaming: boolean;
}

/**
 * Sends one Messages call upstream on behalf of a client request (both APIs' message routes use it) and keeps the
 * stream gauge and the early-end warning right whether the call succeeds, fails or is abandoned.
 * The client's request signal aborts the upstream request.
 */
export async function forwardForClient(deps: RouteDeps, request: Request, call: ClientCall): Promise<Response> {
  deps.noteModel(request, call.model);
  if (call.streaming) deps.metrics.streamOpened();
  const route = pathOf(request.url);
  try {
    return await deps.upstream.send({
      path: call.path,
      body: call.body,
      clientHeaders: request.headers,
      signal: request.signal,
      onEnd: (outcome) => {
        if (call.streaming) deps.metrics.streamEnded(outcome);
        if (outcome !== "complete") deps.log.warn(`${route} ${call.model}: response ended early (${outcome.replace("_", " ")})`);
      },
    });
  } catch (error) {
    if (call.streaming) deps.metrics.streamEnded("not_started");
    throw error;
  }
}
