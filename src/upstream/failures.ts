/**
 * How an exchange with the Anthropic API failed, told the same way wherever it is noticed (connecting, reading a
 * whole answer, relaying a stream, translating one).
 */
import { ApiError } from "../shared/errors.ts";
import { describeNetworkError } from "../shared/network-error.ts";

/** Whose doing an abort was: the client's going away wins over our timer, and the timer over a failure. */
export function whyAborted(clientSignal: AbortSignal | undefined, ours: AbortSignal): "client" | "timeout" | "failure" {
  if (clientSignal?.aborted) return "client";
  return ours.reason instanceof DOMException && ours.reason.name === "TimeoutError" ? "timeout" : "failure";
}

export const timeoutReason = () => new DOMException("timeout", "TimeoutError");

export const clientClosed = () => new ApiError(499, "the client closed the request");

export const failedMidResponseMessage = (error: unknown) =>
  `the connection to the Anthropic API failed mid-response: ${describeNetworkError(error)}`;

export const failedMidResponse = (error: unknown) => new ApiError(502, failedMidResponseMessage(error));

export const idleTimeoutMessage = (seconds: number) =>
  `the Anthropic API sent nothing for ${seconds}s; maximize gave up (api.stream_idle_timeout)`;
