import type { Resolution } from "../../models/catalogue.ts";
import type { StreamOutcome } from "../../upstream/stream-guard.ts";
import type { RouteDeps } from "../deps.ts";
import { endStream } from "../access-log.ts";
import { pathOf } from "../paths.ts";

export interface ClientCall {
  /** Upstream path, query included. */
  path: string;
  /** The Anthropic body, model as the client named it. */
  body: Record<string, unknown>;
  /** The client's model, resolved once by the route. */
  resolution: Resolution;
  streaming: boolean;
  /** Add the nickname's effort (not for count_tokens: effort does not change what the input costs). */
  effort?: boolean;
}

/** The body with the resolved model and, when the client set none, the nickname's effort. */
export function withResolution(body: Record<string, unknown>, resolution: Resolution, effort: boolean): Record<string, unknown> {
  const shaped: Record<string, unknown> = { ...body, model: resolution.model };
  if (!effort || !resolution.effort) return shaped;
  const config =
    typeof body.output_config === "object" && body.output_config !== null ? (body.output_config as Record<string, unknown>) : {};
  if (config.effort !== undefined && config.effort !== null) return shaped;
  shaped.output_config = { ...config, effort: resolution.effort };
  return shaped;
}

/** "l→claude-sonnet-5-5@low" for the access log; the bare name when it was not a nickname. */
export const describeResolution = (resolution: Resolution) =>
  resolution.nickname
    ? `${resolution.requested || resolution.nickname}→${resolution.model}${resolution.effort ? `@${resolution.effort}` : ""}`
    : resolution.model;

/** A nickname resolved from the catalogue (not a pin, not the client's own ID): a 404 may mean the catalogue is stale. */
const mayBeStale = (resolution: Resolution) => resolution.source === "live" || resolution.source === "fallback";

/** Whether a 404 is Anthropic's "no such model" for this model (not some other missing thing). Read from a copy. */
async function namesModel(response: Response, model: string): Promise<boolean> {
  const text = await response
    .clone()
    .text()
    .catch(() => "");
  return text.includes("not_found_error") && text.includes(model);
}

/**
 * Sends one Messages call upstream on behalf of a client request (both APIs' message routes use it) and keeps the
 * stream gauge and the early-end warning right whether the call succeeds, fails or is abandoned.
 * The client's request signal aborts the upstream request. A 404 for a model a nickname resolved to refreshes the
 * catalogue and, when the nickname now names another model, retries once (nothing has reached the client yet).
 */
export async function forwardForClient(deps: RouteDeps, request: Request, call: ClientCall): Promise<Response> {
  const note = deps.access(request);
  note.model = describeResolution(call.resolution);
  note.resolution = call.resolution;
  note.streaming = call.streaming;
  if (call.streaming) deps.metrics.streamOpened();
  const route = pathOf(request.url);
  const started = performance.now();
  // How a stream ended goes on the request's access-log line (a whole answer's failure is its 502/504).
  const finish = (outcome: StreamOutcome, errorType: string | undefined) => {
    deps.metrics.requestDuration(route, (performance.now() - started) / 1000);
    if (call.streaming) {
      // The connection closes under us too when the server shuts down with streams open: not the client's doing.
      const ended = outcome === "client_closed" && deps.closing?.() ? "server_shutdown" : outcome;
      deps.metrics.streamEnded(ended);
      endStream(note, ended, errorType);
    }
  };
  const attempt = async (resolution: Resolution) => {
    // An answer read whole ends before send() returns: hold its outcome until we know it is the one we keep.
    let held: { outcome: StreamOutcome; errorType?: string } | undefined;
    let holding = true;
    const sent = performance.now();
    deps.metrics.modelRequest(resolution.model);
    const response = await deps.upstream.send({
      path: call.path,
      body: withResolution(call.body, resolution, call.effort !== false),
      line: resolution.line,
      clientHeaders: request.headers,
      signal: request.signal,
      onEnd: (outcome, errorType) => {
        if (holding) held = { outcome, errorType };
        else finish(outcome, errorType);
      },
      onUsage: (usage) => {
        deps.metrics.tokens(resolution.model, usage);
        note.usage = usage;
      },
      onAccount: (account, failedOver) => {
        note.account = account;
        note.failedOver = failedOver;
      },
    });
    deps.metrics.upstreamTtfb(route, (performance.now() - sent) / 1000);
    holding = false;
    note.upstreamStatus = response.status;
    return { response, settle: () => held && finish(held.outcome, held.errorType) };
  };

  try {
    let sent = await attempt(call.resolution);
    if (
      sent.response.status === 404 &&
      mayBeStale(call.resolution) &&
      (await namesModel(sent.response, call.resolution.model)) &&
      (await deps.models.refreshAfterNotFound())
    ) {
      const again = await deps.models.resolve(call.resolution.requested);
      if (again.model !== call.resolution.model) {
        deps.log.info(`${describeResolution(call.resolution)} answered 404; the catalogue now says ${again.model}: retrying`);
        note.model = describeResolution(again);
        note.resolution = again;
        sent = await attempt(again);
      }
    }
    sent.settle();
    return sent.response;
  } catch (error) {
    if (call.streaming) {
      deps.metrics.streamEnded("not_started");
      endStream(note, "not_started");
    }
    throw error;
  }
}
