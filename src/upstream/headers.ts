import { VERSION } from "../shared/version.ts";
import { mergeBetas } from "./shape.ts";

/** What Claude Code sends; the SDKs ≥ 1.0 send 2026-10-21. A client's own version always wins (docs/PROTOCOL.md §2). */
export const DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

/**
 * maximize's own user-agent. It says what it is rather than posing as a Claude Code version: a frozen
 * `claude-cli/x.y.z` would one day meet `claude_code_version_too_old`, and maximize does not disguise traffic.
 * `api.user_agent` overrides it; a request that comes from Claude Code keeps Claude Code's own (current) one.
 */
export const MAXIMIZE_USER_AGENT = `maximize/${VERSION}`;
const CLAUDE_CODE_BETA = "claude-code-20250219";

/** Whether a content type is Server-Sent Events: such a body is relayed event by event, never read whole. */
export const isEventStream = (contentType: string | null | undefined): boolean => contentType?.startsWith("text/event-stream") === true;

/** A 429 that is the subscription plan's limit (the unified status says rejected), not a passing throttle. */
export const isPlanRefusal = (response: Pick<Response, "status" | "headers">): boolean =>
  response.status === 429 && response.headers.get("anthropic-ratelimit-unified-status") === "rejected";

/** Response headers worth passing back to clients (docs/PROTOCOL.md §3). */
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

export interface UpstreamIdentity {
  headers: Record<string, string>;
  oauth: boolean;
}

export interface HeaderOptions {
  /** The betas a subscription request carries (config api.oauth_betas). */
  oauthBetas: readonly string[];
  /** config api.user_agent */
  userAgent?: string;
  /** The model's line, when known (Claude Code leaves its own beta off for Haiku). */
  line?: string;
  model?: string;
}

const isHaiku = (options: HeaderOptions) => (options.line ?? options.model ?? "").includes("haiku");

/**
 * Headers for one upstream request. Only what the API needs is taken from the client: its
 * anthropic-version (one copy), anthropic-beta (merged) and, from Claude Code itself, its user-agent and x-app.
 * Client credentials never go upstream.
 */
export function upstreamHeaders(client: Headers, credential: UpstreamIdentity, options: HeaderOptions): Headers {
  const headers = new Headers(credential.headers);
  headers.set("content-type", "application/json");
  headers.set("accept", "application/json");
  const version = client.get("anthropic-version")?.split(",")[0]?.trim();
  headers.set("anthropic-version", version || DEFAULT_ANTHROPIC_VERSION);
  const ours = credential.oauth ? options.oauthBetas.filter((beta) => beta !== CLAUDE_CODE_BETA || !isHaiku(options)) : undefined;
  const betas = mergeBetas(ours, client.get("anthropic-beta"));
  if (betas) headers.set("anthropic-beta", betas);
  const clientAgent = client.get("user-agent");
  if (clientAgent?.startsWith("claude-cli/")) {
    headers.set("user-agent", clientAgent);
    const app = client.get("x-app");
    if (app) headers.set("x-app", app);
  } else {
    headers.set("user-agent", options.userAgent ?? MAXIMIZE_USER_AGENT);
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
