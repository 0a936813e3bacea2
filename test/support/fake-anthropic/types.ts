/** Public types of the fake Anthropic upstream (see ../fake-anthropic.ts). */

export interface StartOptions {
  /** x-api-key values accepted in API-key mode (no OAuth beta / identity rules). */
  apiKeys?: string[];
  /** Model ids the fake knows; anything else is 404 not_found_error. */
  models?: string[];
  /** Lifetime of minted access tokens (token endpoint and issueTokens default). Default 28800 (8 h). */
  accessTokenTtlSeconds?: number;
}

/** A type alias (not an interface) so it stays assignable to index-signature types such as stored-token shapes. */
export type TokenPair = {
  access_token: string;
  refresh_token: string;
  /** Unix seconds. */
  expires_at: number;
};

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string without the leading "?" ("" when absent). */
  query: string;
  /** Lower-cased names; repeated headers are joined with ", " as fetch does. */
  headers: Record<string, string>;
  /** Parsed JSON; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
}

export type FaultRoute = "messages" | "count_tokens" | "models" | "token" | "any";

export type StatusFault = {
  route?: FaultRoute;
  status: number;
  /** Replaces the default error body; a string is sent as-is (text/plain, or text/html when it starts with "<"). */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests this fault answers (default 1). */
  times?: number;
  /** Wait this long before answering (so concurrent callers overlap with a failing call). */
  delayMs?: number;
};
export type ResetFault = { route?: "messages"; kind: "reset"; afterEvents: number };
export type StreamErrorFault = {
  route?: "messages";
  kind: "stream-error";
  afterEvents: number;
  error?: { type: string; message: string };
};
export type DripFault = { route?: "messages"; kind: "drip"; delayMs: number };
export type HangFault = { route?: FaultRoute; kind: "hang" };
export type DelayFault = { route?: "token"; kind: "delay"; delayMs: number };

export type Fault = StatusFault | ResetFault | StreamErrorFault | DripFault | HangFault | DelayFault;

export interface FakeAnthropic {
  /** "http://127.0.0.1:PORT": API base for /v1/messages, /v1/messages/count_tokens, /v1/models. */
  url: string;
  tokenUrl: string;
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  /** Mint a valid token pair as if the user had logged in. expiresIn seconds (default: accessTokenTtlSeconds); may be <= 0. */
  issueTokens(opts?: { expiresIn?: number }): TokenPair;
  revokeAccessToken(token: string): void;
  revokeRefreshToken(token: string): void;
  readonly refreshCalls: number;
  readonly exchangeCalls: number;
  readonly requests: RecordedRequest[];
  readonly tokenRequests: RecordedRequest[];
  readonly activeStreams: number;
  fault(f: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}
