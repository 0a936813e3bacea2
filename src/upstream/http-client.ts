/**
 * A `fetch`-shaped HTTP/1.1 client for upstream calls, built on node:http / node:https with keep-alive agents that
 * have no socket cap.
 *
 * Why not the global `fetch`: Bun's fetch runs at most 256 requests at once per process
 * (BUN_CONFIG_MAX_HTTP_REQUESTS, read only when the process starts), so the 257th concurrent stream would queue
 * silently until another one ended. node:http under Bun has no such cap (measured in BENCHMARKS.md).
 *
 * Supports what the proxy uses: method, headers, a string body, an AbortSignal (abort destroys the socket at once,
 * before or during the response), and a streamed response body. Bodies are requested uncompressed
 * (`accept-encoding: identity`), so nothing has to be decoded on the way through.
 */
import type { Agent, IncomingMessage, ClientRequest } from "node:http";
import type { Fetch } from "../shared/http.ts";
import { isEventStream } from "./headers.ts";

export interface HttpClientOptions {
  /** Idle keep-alive sockets kept per host (default 256); in-flight requests are never capped. */
  maxFreeSockets?: number;
}

/** Statuses whose response must not carry a body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

function toHeaders(raw: IncomingMessage["headers"]): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return headers;
}

function requestHeaders(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => {
    out[name] = value;
  });
  out["accept-encoding"] = "identity";
  return out;
}

function bodyOf(init: RequestInit | undefined): string | Uint8Array | undefined {
  const body = init?.body;
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  throw new TypeError("http-client sends string or Uint8Array bodies only");
}

const abortError = (signal: AbortSignal): unknown => signal.reason ?? new DOMException("The operation was aborted.", "AbortError");

/** The response body as a web stream that pauses the socket when the reader is not keeping up. */
function bodyStream(response: IncomingMessage, request: ClientRequest): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        response.on("data", (chunk: Buffer) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) response.pause();
        });
        response.once("end", () => {
          done = true;
          controller.close();
        });
        const fail = (error?: Error) => {
          if (done) return;
          done = true;
          controller.error(error ?? new Error("the upstream connection closed before the response ended"));
        };
        response.once("error", fail);
        response.once("aborted", () => fail(new Error("the upstream connection was reset mid-response")));
        response.once("close", () => fail());
      },
      pull() {
        response.resume();
      },
      cancel() {
        done = true;
        request.destroy();
      },
    },
    { highWaterMark: 1 },
  );
}

/** Whether an HTTP(S)_PROXY is configured: Bun's fetch honours it, this client does not. */
export function usesProxyEnv(env: Record<string, string | undefined>): boolean {
  return ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"].some((name) => Boolean(env[name]));
}

/** A fetch-compatible function backed by node:http(s) with uncapped keep-alive agents. */
export function createHttpClient(options: HttpClientOptions = {}): Fetch {
  const agentOptions = { keepAlive: true, maxSockets: Infinity, maxFreeSockets: options.maxFreeSockets ?? 256 };
  // Loaded on first use: node:http(s) costs memory that a proxy which never overflows should not pay.
  let modules:
    | Promise<{ http: typeof import("node:http"); https: typeof import("node:https"); agents: Record<"http:" | "https:", Agent> }>
    | undefined;
  const load = () =>
    (modules ??= Promise.all([import("node:http"), import("node:https")]).then(([http, https]) => ({
      http,
      https,
      agents: { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) },
    })));

  return async (input, init) => {
    const { http, https, agents } = await load();
    return new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : input);
      if (url.protocol !== "http:" && url.protocol !== "https:") return reject(new TypeError(`unsupported URL scheme ${url.protocol}`));
      const signal = init?.signal ?? undefined;
      if (signal?.aborted) return reject(abortError(signal));

      const send = url.protocol === "https:" ? https.request : http.request;
      const request = send(url, { method: init?.method ?? "GET", headers: requestHeaders(init), agent: agents[url.protocol] });
      const onAbort = () => {
        const reason = signal ? abortError(signal) : undefined;
        request.destroy(reason instanceof Error ? reason : new Error(String(reason)));
        reject(reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      request.once("error", (error) => {
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      });
      request.once("response", (response) => {
        const status = response.statusCode ?? 502;
        const headers = toHeaders(response.headers);
        if (NULL_BODY.has(status) || init?.method === "HEAD") {
          signal?.removeEventListener("abort", onAbort);
          response.resume();
          return resolve(new Response(null, { status, statusText: response.statusMessage, headers }));
        }
        // The abort listener stays until the body ends: aborting mid-stream must still destroy the socket.
        response.once("close", () => signal?.removeEventListener("abort", onAbort));
        resolve(new Response(bodyStream(response, request), { status, statusText: response.statusMessage, headers }));
      });
      request.end(bodyOf(init));
    });
  };
}

/** Where an event stream that holds a fetch slot keeps the way to free it (on the Response itself: no shared map). */
const SLOT = Symbol("maximize.fetchSlot");
type Slotted = Response & { [SLOT]?: () => void };

/**
 * An event stream's body has ended, failed or been cancelled, or it is dropped unread: its fetch slot (withOverflow)
 * is free. Called by the one reader of upstream bodies, upstream.ts (its stream guard, or where it drops an answer), so
 * no second JS stream sits in every event's path. Once is enough; more is harmless.
 */
export function streamEnded(response: Response): void {
  (response as Slotted)[SLOT]?.();
}

/**
 * Sends through `primary` (Bun's fetch: the fastest path) while fewer than `limit` of its requests are in flight,
 * and through `overflow` (node:http, no cap) beyond that, so request 257 is sent at once instead of waiting in
 * fetch's queue. An event stream counts until its reader says it has ended, failed or been cancelled (streamEnded):
 * that can be minutes.
 * A whole (non-SSE) answer frees its slot when its headers arrive: its body is already on the way and the caller
 * (upstream.ts) reads it at once, so it cannot hold fetch's queue; wrapping it would cost a second Response per call.
 */
export function withOverflow(primary: Fetch, overflow: Fetch, limit: number): Fetch {
  let inFlight = 0;
  return async (input, init) => {
    if (inFlight >= limit) return overflow(input, init);
    inFlight++;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      inFlight--;
    };
    const response = await primary(input, init).catch((error: unknown) => {
      release();
      throw error;
    });
    if (!response.body || !isEventStream(response.headers.get("content-type"))) {
      release();
      return response;
    }
    (response as Slotted)[SLOT] = release;
    return response;
  };
}

/**
 * How many upstream requests go through Bun's fetch at once. Bun caps its fetch at 256 per process unless
 * BUN_CONFIG_MAX_HTTP_REQUESTS was set when the process started (setting it later changes nothing: measured); stay 16
 * under the cap, leaving room for token refreshes.
 */
export function fetchLimit(env: Record<string, string | undefined>): number {
  const cap = Number(env.BUN_CONFIG_MAX_HTTP_REQUESTS);
  return (Number.isInteger(cap) && cap > 256 ? cap : 256) - 16;
}
