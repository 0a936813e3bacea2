import { VERSION } from "../version.ts";
import { OAUTH_BETAS, mergeBetas } from "./shape.ts";

export const DEFAULT_ANTHROPIC_VERSION = "2023-06-01";
export const CLAUDE_CLI_USER_AGENT = "claude-cli/2.0.0 (external, cli)";

/** Whether a content type is Server-Sent Events: such a body is relayed event by event, never read whole. */
export const isEventStream = (contentType: string | null | undefined): boolean => contentType?.startsWith("text/event-stream") === true;

/** Response headers worth passing back to clients (protocol.md §3). */
export function isForwardedResponseHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower === "request-id" ||
    lower === "retry-after" ||
    lower === "retry-after-ms" ||
    lower === "x-should-retry" ||
    lower.startsWith("anthropic-ratelimit-")
  );
}

/**
 * Headers for one upstream request. Only what the API needs is taken from the client: its
 * anthropic-version (one copy) and anthropic-beta (merged). Client credentials never go upstream.
 */
export function upstreamHeaders(client: Headers, credential: { headers: Record<string, string>; oauth: boolean }): Headers {
  const headers = new Headers(credential.headers);
  headers.set("content-type", "application/json");
  headers.set("accept", "application/json");
  const version = client.get("anthropic-version")?.split(",")[0]?.trim();
  headers.set("anthropic-version", version || DEFAULT_ANTHROPIC_VERSION);
  const betas = mergeBetas(credential.oauth ? OAUTH_BETAS : undefined, client.get("anthropic-beta"));
  if (betas) headers.set("anthropic-beta", betas);
  if (credential.oauth) {
    headers.set("user-agent", CLAUDE_CLI_USER_AGENT);
    headers.set("x-app", "cli");
  } else {
    headers.set("user-agent", `maximize/${VERSION}`);
  }
  return headers;
}

/** The headers maximize returns with an upstream answer: its content type plus the forwarded set. */
export function downstreamHeaders(upstream: Headers): Headers {
  const headers = new Headers();
  const type = upstream.get("content-type");
  if (type) headers.set("content-type", type);
  upstream.forEach((value, name) => {
    if (isForwardedResponseHeader(name)) headers.set(name, value);
  });
  if (isEventStream(type)) {
    headers.set("cache-control", "no-cache");
    headers.set("x-accel-buffering", "no");
  }
  return headers;
}
