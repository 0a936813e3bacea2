/** Public types of the fake Anthropic upstream (see ../fake-anthropic.ts). */
import type { FakeModelInfo, ModelSpec } from "./models.ts";
import type { PlanState, PlanUpdate } from "./plan.ts";

export interface StartOptions {
  /** x-api-key values accepted in API-key mode (no OAuth beta / identity rules). */
  apiKeys?: string[];
  /**
   * The model catalogue (default: DEFAULT_CATALOGUE, December 2026). A bare id or a partial spec is filled in as a
   * current model that supports everything; anything not in the catalogue is 404 not_found_error.
   */
  models?: readonly (string | ModelSpec)[];
  /** Lifetime of minted access tokens (token endpoint and issueTokens default). Default 28800 (8 h). */
  accessTokenTtlSeconds?: number;
  /** A `user-agent: claude-cli/X.Y.Z` older than this gets 400 claude_code_version_too_old. Default "2.1.0". */
  minClaudeCodeVersion?: string;
  /** The subscription plan's starting state (unified headers, /api/oauth/usage). */
  plan?: PlanUpdate;
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
  /** The account whose OAuth token made the request (absent for API keys and refused callers). */
  account?: string;
}

export type FaultRoute = "messages" | "count_tokens" | "models" | "usage" | "token" | "any";

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
  /** Only for requests made with this account's OAuth token (default: any caller). */
  account?: string;
};
export type ResetFault = { route?: "messages"; kind: "reset"; afterEvents: number };
export type StreamErrorFault = {
  route?: "messages";
  kind: "stream-error";
  afterEvents: number;
  error?: { type: string; message: string };
};
export type DripFault = { route?: "messages"; kind: "drip"; delayMs: number };
export type HangFault = { route?: FaultRoute; kind: "hang"; account?: string };
export type DelayFault = { route?: "token"; kind: "delay"; delayMs: number };

/** An SSE event to splice into a scripted stream; `data` is sent as given. */
export type ScriptedEvent = {
  event: string;
  data: unknown;
  /** Index in the event list to insert before (default 1: right after message_start). */
  at?: number;
};

/**
 * Scripts what the model says next (JSON and SSE alike), after the request passed validation: any blocks, including
 * types the fake does not know (they stream as content_block_start/stop carrying the whole block), any stop reason.
 */
export type ScriptFault = {
  route?: "messages";
  kind: "script";
  content: Array<Record<string, unknown> & { type: string }>;
  /** Default: "tool_use" when the content has a tool_use block, else "end_turn". */
  stop_reason?: string;
  stop_sequence?: string | null;
  /** e.g. {type:"refusal", category:"cyber", explanation:"…"}; default null. */
  stop_details?: unknown;
  /** Merged over the computed usage. */
  usage?: Record<string, unknown>;
  extraEvents?: ScriptedEvent[];
  /** How many matching requests this script answers (default 1). */
  times?: number;
};

export type Fault = StatusFault | ResetFault | StreamErrorFault | DripFault | HangFault | DelayFault | ScriptFault;

export interface FakeAnthropic {
  /** "http://127.0.0.1:PORT": API base for /v1/messages, /v1/messages/count_tokens, /v1/models. */
  url: string;
  tokenUrl: string;
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  /** Mint a valid token pair as if the user had logged in. expiresIn seconds (default: accessTokenTtlSeconds); may be <= 0. */
  issueTokens(opts?: { expiresIn?: number; account?: string }): TokenPair;
  /** The account the next browser login (authorization code) belongs to (default "default"). */
  loginAs(account: string): void;
  /** The e-mail address a login of this account reports. */
  emailOf(account: string): string;
  revokeAccessToken(token: string): void;
  revokeRefreshToken(token: string): void;
  readonly refreshCalls: number;
  readonly exchangeCalls: number;
  readonly requests: RecordedRequest[];
  readonly tokenRequests: RecordedRequest[];
  readonly activeStreams: number;
  fault(f: Fault): void;
  clearFaults(): void;
  /** Adds a model to the catalogue (or replaces the one with its id); released now unless the spec says otherwise. */
  releaseModel(spec: ModelSpec): FakeModelInfo;
  /** Marks a model deprecated now (still callable, still listed), optionally with its retirement date (RFC 3339). */
  deprecateModel(id: string, retiresAt?: string): FakeModelInfo;
  /** Retires a model now: inference 404, listed only under lifecycle[]=retired, still described by GET by id. */
  retireModel(id: string): FakeModelInfo;
  /** Changes an account's subscription plan (fields replace, windows merge); default: the account "default". */
  setPlan(update: PlanUpdate, account?: string): void;
  /** The default account's plan. */
  readonly plan: PlanState;
  planOf(account: string): PlanState;
  close(): Promise<void>;
  /** `await using fake = await startFakeAnthropic()` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}
