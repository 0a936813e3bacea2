/** Scripted faults: queued in order, each consumed by the next request to a matching route. */
import { defaultErrorBody, defaultOAuthErrorBody, json } from "./errors.ts";
import { isRecord } from "./guards.ts";
import type { Fault, FaultRoute, StatusFault } from "./types.ts";

export type Route = Exclude<FaultRoute, "any">;

interface Entry {
  fault: Fault;
  remaining: number;
}

export class FaultQueue {
  private entries: Entry[] = [];

  add(fault: Fault): void {
    const times = "times" in fault ? (fault.times ?? 1) : 1;
    this.entries.push({ fault, remaining: Math.max(1, times) });
  }

  clear(): void {
    this.entries = [];
  }

  /** The first queued fault for this route (or "any") and caller's account, counting down its `times`. */
  take(route: Route, account?: string): Fault | undefined {
    const entry = this.entries.find(({ fault }) => {
      const target = fault.route ?? "messages";
      if ("account" in fault && fault.account !== undefined && fault.account !== account) return false;
      return target === route || target === "any";
    });
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.entries = this.entries.filter((e) => e !== entry);
    return entry.fault;
  }
}

export function statusFaultResponse(fault: StatusFault, route: Route, requestId: string): Response {
  const headers = fault.headers ?? {};
  if (typeof fault.body === "string") {
    const type = fault.body.trimStart().startsWith("<") ? "text/html" : "text/plain";
    return new Response(fault.body, { status: fault.status, headers: { "content-type": type, ...headers } });
  }
  const fallback = route === "token" ? defaultOAuthErrorBody(fault.status) : defaultErrorBody(fault.status, requestId);
  return json(fault.status, withRequestId(fault.body, requestId) ?? fallback, headers);
}

/**
 * An API error body without `request_id` (such as POLICY_ERRORS') gets the id of the request it answers, as the real
 * one would; everything else, `error.details` included, is sent exactly as given.
 */
function withRequestId(body: unknown, requestId: string): unknown {
  if (!isRecord(body) || body.type !== "error" || "request_id" in body) return body;
  return { ...body, request_id: requestId };
}

/** Never answers; resolves (with a response nobody reads) once the client has gone away. */
export function hang(signal: AbortSignal): Promise<Response> {
  return new Promise((resolve) => {
    const gone = () => resolve(new Response(null, { status: 499 }));
    if (signal.aborted) return gone();
    signal.addEventListener("abort", gone, { once: true });
  });
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
