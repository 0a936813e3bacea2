/**
 * One access-log line per request, written when the request is really finished: for a stream, when the stream ended
 * (completed, failed midway, or the client went away), with the time to the response headers and the total time.
 * Upstream error answers, maximize's own 5xx and a missing login go out at warn with their error type; the rest at
 * info. Nothing is built for a line the log level drops (BENCHMARKS.md: access-log cost).
 */
import { DEFAULT_ACCOUNT } from "../auth/accounts.ts";
import type { Resolution } from "../models/catalogue.ts";
import type { LogFields, Logger } from "../shared/log.ts";
import type { StreamOutcome } from "../upstream/stream-guard.ts";
import type { TokenUsage } from "../upstream/usage-meter.ts";

/** How a stream ended: the upstream's outcomes, plus never started, and cut by the server's own shutdown. */
export type StreamEnd = StreamOutcome | "not_started" | "server_shutdown";

/** What the routes tell the access log about one request (a mutable record, kept per Request). */
export interface AccessNote {
  /** The model used: "nickname→model@effort", or the client's own ID. */
  model?: string;
  /** What the client asked for and what was sent (the JSON log's model fields). */
  resolution?: Resolution;
  /** The answer's tokens, once counted (the JSON log's token fields). */
  usage?: TokenUsage;
  /** The status Anthropic answered (absent when the request never reached it). */
  upstreamStatus?: number;
  /** The error type of an error answered by maximize itself (its ApiError's). */
  errorType?: string;
  /** A stream to the client: the line waits for its end (when the answer is a 2xx). */
  streaming?: boolean;
  /** How the stream ended, once it has. */
  end?: { outcome: StreamEnd; errorType?: string };
  /** Set by the access log while it waits for the end. */
  onEnd?: () => void;
  /** The proxy key's name (never the key), when proxy keys are configured. */
  key?: string;
  /** The account that answered, and the one that refused it first for a plan limit (failover). */
  account?: string;
  failedOver?: string;
  /** Frees the key's slot (max_concurrent): when the answer is sent, or for a stream when it ends. */
  release?: () => void;
}

/** Frees the request's proxy-key slot, once. */
export function releaseKey(note: AccessNote | undefined): void {
  const release = note?.release;
  if (!release || !note) return;
  note.release = undefined;
  release();
}

/** Ends a request's stream (once): the access-log line, if it was waiting, is written now. */
export function endStream(note: AccessNote, outcome: StreamEnd, errorType?: string): void {
  if (note.end) return;
  note.end = errorType ? { outcome, errorType } : { outcome };
  releaseKey(note);
  note.onEnd?.();
}

/** "12ms" below a second, "1.03s" from there. */
export const formatDuration = (ms: number) => (ms < 1000 ? `${ms.toFixed(0)}ms` : `${(ms / 1000).toFixed(2)}s`);

const STREAM_END: Record<StreamEnd, string> = {
  complete: "stream completed",
  upstream_error: "stream failed midway",
  idle_timeout: "stream failed midway: Anthropic went silent (api.stream_idle_timeout)",
  client_closed: "stream abandoned: the client closed the connection",
  not_started: "stream not started",
  server_shutdown: "stream cut: maximize was shutting down",
};

function describeEnd(end: NonNullable<AccessNote["end"]>): string {
  if (end.outcome !== "upstream_error") return STREAM_END[end.outcome];
  return `${STREAM_END.upstream_error}: ${end.errorType ?? "the connection to Anthropic failed"}`;
}

/** A failure the person running maximize should see: Anthropic refused, maximize failed, or there is no login. */
const isWarning = (status: number, note: AccessNote | undefined, end: AccessNote["end"]) =>
  (note?.upstreamStatus ?? 0) >= 400 ||
  status >= 500 ||
  // A 401 for the login (answered through onError: it has an error type); a wrong proxy key is the client's mistake.
  (status === 401 && note?.errorType !== undefined) ||
  end?.outcome === "upstream_error" ||
  end?.outcome === "idle_timeout";

export interface AccessLine {
  method: string;
  path: string;
  status: number;
  note: AccessNote | undefined;
  /** ms from the request to the response headers. */
  headersMs: number;
  /** ms from the request to the end of the stream (streams only). */
  totalMs?: number;
  /** The answer's error type (error answers only). */
  errorType?: string;
  /** Upstream's request-id, on error lines (what Anthropic's support asks for). */
  requestId?: string | null;
}

/** The line's text: method, path, status, error type, model, times, how a stream ended. */
export function formatAccessLine(line: AccessLine): string {
  const { note } = line;
  const parts = [line.method, line.path, String(line.status)];
  if (line.errorType) parts.push((note?.upstreamStatus ?? 0) >= 400 ? `${line.errorType} from Anthropic` : line.errorType);
  if (note?.model) parts.push(`model=${note.model}`);
  if (note?.key) parts.push(`key=${note.key}`);
  // Only said when it tells something: with one account (`default`) every line would say the same.
  if (note?.failedOver) parts.push(`account=${note.failedOver}→${note.account}`);
  else if (note?.account && note.account !== DEFAULT_ACCOUNT) parts.push(`account=${note.account}`);
  if (line.totalMs === undefined) parts.push(formatDuration(line.headersMs));
  else {
    parts.push(`headers ${formatDuration(line.headersMs)} total ${formatDuration(line.totalMs)}`);
    if (note?.end) parts.push(describeEnd(note.end));
  }
  if (line.errorType && line.requestId) parts.push(`request-id=${line.requestId}`);
  return parts.join(" ");
}

const ms = (value: number | undefined) => (value === undefined ? undefined : Math.round(value * 10) / 10);

/** The same facts as fields, for the JSON log format (names are stable: log collectors query them). */
export function accessFields(line: AccessLine): LogFields {
  const { note } = line;
  const resolution = note?.resolution;
  const end = line.totalMs !== undefined ? note?.end : undefined;
  return {
    kind: "access",
    method: line.method,
    path: line.path,
    key: note?.key,
    account: note?.account,
    failed_over_from: note?.failedOver,
    status: line.status,
    model_asked: resolution ? resolution.requested || null : undefined,
    model: resolution?.model,
    effort: resolution?.effort,
    upstream_status: note?.upstreamStatus,
    error_type: line.errorType,
    request_id: line.requestId ?? undefined,
    headers_ms: ms(line.headersMs),
    total_ms: ms(line.totalMs ?? line.headersMs),
    stream: end?.outcome,
    stream_error: end?.errorType,
    input_tokens: note?.usage?.input,
    output_tokens: note?.usage?.output,
    cache_read_tokens: note?.usage?.cache_read,
    cache_write_tokens: note?.usage?.cache_write,
  };
}

/** Writes the line at its level, building it only when that level is on. */
export function writeAccessLine(log: Logger, line: AccessLine): void {
  const end = line.totalMs !== undefined ? line.note?.end : undefined;
  const level = isWarning(line.status, line.note, end) ? "warn" : "info";
  // The fields as a function: built only for the JSON format, not for every text line.
  if (log.enabled(level)) log[level](formatAccessLine(line), () => accessFields(line));
}
