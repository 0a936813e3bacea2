import type { Credentials, UpstreamCredential } from "../auth/tokens.ts";
import type { Fetch } from "../shared/http.ts";
import type { Config } from "../config/load.ts";
import { ApiError, notLoggedIn } from "../shared/errors.ts";
import { describeNetworkError } from "../shared/network-error.ts";
import type { Logger } from "../shared/log.ts";
import { downstreamHeaders, isEventStream, isPlanRefusal, upstreamHeaders } from "./headers.ts";
import { streamEnded } from "./http-client.ts";
import { clientClosed, failedMidResponse, idleTimeoutMessage, timeoutReason, whyAborted } from "./failures.ts";
import { explainRefusal } from "./policy.ts";
import { shapeBody } from "./shape.ts";
import { errorEventType } from "./sse.ts";
import { createStreamUsageMeter, type TokenUsage, usageOfJson } from "./usage-meter.ts";
import { guardStream, type StreamOutcome } from "./stream-guard.ts";

export interface UpstreamCall {
  /** POST (default) sends the shaped body; GET sends none. */
  method?: "GET" | "POST";
  /** "/v1/messages" or "/v1/messages/count_tokens" (a query string such as "?beta=true" may follow). */
  path: string;
  /** The Anthropic request body as the client (or a translator) produced it, model resolved, no identity block. */
  body?: Record<string, unknown>;
  /** The client's request headers (anthropic-beta, anthropic-version are merged; credentials are dropped). */
  clientHeaders: Headers;
  /** Aborts the upstream request (pass the client's request.signal). */
  signal?: AbortSignal;
  /**
   * Called once when the response body has been fully delivered, failed or was abandoned. A stream that carried
   * Anthropic's own `event: error` ended "upstream_error" with that event's `error.type`.
   */
  onEnd?: (outcome: StreamOutcome, errorType?: string) => void;
  /** The model's line, when the catalogue knows it (betas depend on it). */
  line?: string;
  /** Told the answer's token usage once it is known (a whole answer: at once; a stream: when it ends). */
  onUsage?: (usage: TokenUsage) => void;
  /**
   * The account to send with, by name: the account pool (src/accounts/) picks one when absent. Given to onAnswer, so
   * the plan tracker knows whose plan the headers describe.
   */
  account?: string;
  /** The credentials to send with (the account pool sets them); default: the upstream client's own. */
  credentials?: Credentials;
  /**
   * A plan refusal (429, unified status rejected) that the account pool will send elsewhere: not explained in the log
   * here (the pool says it once per account).
   */
  quietPlanRefusal?: boolean;
  /** Told which account answered (the pool calls it once the answer it returns is known; for the access log). */
  onAccount?: (account: string, failedOver?: string) => void;
}

export interface Upstream {
  /**
   * Shapes and sends one request upstream (refreshing the token and retrying once on a 401).
   * Resolves with the upstream Response whatever its status — body guarded, headers filtered — and rejects
   * with ApiError only for maximize's own failures (not logged in, token endpoint down, upstream unreachable).
   */
  send(call: UpstreamCall): Promise<Response>;
}

interface Deps {
  config: Config;
  /** Used when a call brings none (the account pool always brings its account's). */
  credentials?: Credentials;
  fetch: Fetch;
  log?: Logger;
  /** Sees every upstream answer's headers and status (the plan tracker reads the unified rate-limit headers). */
  onAnswer?: (headers: Headers, status: number, account?: string) => void;
}

export function createUpstream({ config, credentials, fetch, log, onAnswer }: Deps): Upstream {
  // Read per call, not once: a config reload may change them.
  const timeoutMs = () => config.api.request_timeout * 1000;
  const idleTimeoutMs = () => config.api.stream_idle_timeout * 1000;

  async function sendOnce(call: UpstreamCall, credential: UpstreamCredential, controller: AbortController): Promise<Response> {
    const body = call.body ? JSON.stringify(shapeBody(call.body, { oauth: credential.oauth })) : undefined;
    const timer = setTimeout(() => controller.abort(timeoutReason()), timeoutMs());
    const headers = upstreamHeaders(call.clientHeaders, credential, {
      oauthBetas: config.api.oauth_betas,
      userAgent: config.api.user_agent,
      model: typeof call.body?.model === "string" ? call.body.model : undefined,
      line: call.line,
    });
    const debug = log?.enabled("debug") === true;
    const started = performance.now();
    if (debug) {
      log.debug(
        `→ upstream ${call.method ?? "POST"} ${call.path} (${body?.length ?? 0} bytes, ${credential.oauth ? "oauth" : "api key"}, beta=${headers.get("anthropic-beta") ?? "-"})`,
      );
    }
    try {
      const response = await fetch(config.api.base_url + call.path, {
        method: call.method ?? "POST",
        headers,
        body,
        signal: controller.signal,
      });
      if (debug)
        log?.debug(
          `← upstream ${response.status} ${call.path} after ${(performance.now() - started).toFixed(1)}ms request-id=${response.headers.get("request-id") ?? "-"}`,
        );
      return response;
    } catch (error) {
      const why = whyAborted(call.signal, controller.signal);
      if (why === "client") throw clientClosed();
      if (why === "timeout") {
        throw new ApiError(
          504,
          `the Anthropic API at ${config.api.base_url} did not answer within ${config.api.request_timeout}s (api.request_timeout)`,
        );
      }
      throw new ApiError(
        502,
        `cannot reach the Anthropic API at ${config.api.base_url}: ${describeNetworkError(error, config.api.base_url)}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A non-stream answer is read whole before it is passed on: a client can use none of it before its end anyway,
   * a failure mid-body becomes a proper 502/504 instead of a cut connection, and a byte body is written out
   * natively instead of chunk by chunk through a JS stream (see BENCHMARKS.md).
   */
  async function readWhole(response: Response, controller: AbortController, call: UpstreamCall): Promise<Uint8Array> {
    const timer = setTimeout(() => controller.abort(timeoutReason()), idleTimeoutMs());
    try {
      return await response.bytes();
    } catch (error) {
      const why = whyAborted(call.signal, controller.signal);
      call.onEnd?.(why === "client" ? "client_closed" : why === "timeout" ? "idle_timeout" : "upstream_error");
      if (why === "client") throw clientClosed();
      if (why === "timeout") throw new ApiError(504, idleTimeoutMessage(config.api.stream_idle_timeout));
      throw failedMidResponse(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The `error.message` of an error answer, read from a copy (401s only: rare, and the body is small). */
  const errorMessageOf = (response: Response): Promise<string | undefined> =>
    response
      .clone()
      .json()
      .then(
        (body: unknown) => {
          const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
          return typeof message === "string" ? message : undefined;
        },
        () => undefined,
      );

  return {
    async send(call) {
      const controller = new AbortController();
      const onClientAbort = () => controller.abort(call.signal?.reason);
      call.signal?.addEventListener("abort", onClientAbort, { once: true });
      const release = () => call.signal?.removeEventListener("abort", onClientAbort);

      // An answer not yet in the stream guard's hands: if it is dropped, its fetch slot is freed here.
      let unguarded: Response | undefined;
      try {
        const using = call.credentials ?? credentials;
        if (!using) throw notLoggedIn();
        let credential = await using.get();
        let response = await sendOnce(call, credential, controller);
        unguarded = response;
        if (response.status === 401 && credential.oauth) {
          // Expired or revoked since we checked: refresh once and retry once. Nothing has reached the client yet.
          const renewed = await using.renew(credential, await errorMessageOf(response));
          if (renewed) {
            streamEnded(response); // dropped unread: an event stream's fetch slot is free
            await response.body?.cancel().catch(() => {});
            credential = renewed;
            response = await sendOnce(call, credential, controller);
            unguarded = response;
          }
        }
        if (response.status !== 401) using.confirm?.(credential);
        onAnswer?.(response.headers, response.status, call.account);
        const headers = downstreamHeaders(response.headers);
        if (!response.body) {
          release();
          call.onEnd?.("complete");
          return new Response(null, { status: response.status, headers });
        }
        if (!isEventStream(headers.get("content-type"))) {
          const bytes = await readWhole(response, controller, call);
          if (!response.ok && !(call.quietPlanRefusal && isPlanRefusal(response)))
            explainRefusal(response.status, bytes, response.headers, log);
          else if (call.onUsage) {
            const usage = usageOfJson(bytes);
            if (usage) call.onUsage(usage);
          }
          release();
          call.onEnd?.("complete");
          return new Response(bytes, { status: response.status, headers });
        }
        unguarded = undefined; // from here the stream guard frees it when the stream ends
        const meter = call.onUsage ? createStreamUsageMeter() : undefined;
        let errorType: string | undefined;
        const body = guardStream(response.body, {
          idleTimeoutMs: idleTimeoutMs(),
          abort: (reason) => controller.abort(reason),
          onEvents: (bytes) => {
            meter?.feed(bytes);
            errorType ??= errorEventType(bytes);
          },
          onEnd: (outcome) => {
            streamEnded(response);
            release();
            const usage = meter?.result();
            if (usage) call.onUsage?.(usage);
            // Anthropic's own error event ends the answer, however the stream then closes (a translator stops reading).
            if (errorType) return call.onEnd?.("upstream_error", errorType);
            // A read that failed because the client went away is the client's doing, not upstream's.
            call.onEnd?.(outcome === "upstream_error" && call.signal?.aborted ? "client_closed" : outcome);
          },
        });
        return new Response(body, { status: response.status, headers });
      } catch (error) {
        if (unguarded) streamEnded(unguarded);
        release();
        throw error;
      }
    },
  };
}
