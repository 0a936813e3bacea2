/**
 * Per-key limits for proxy API keys (config: server.api_keys[].requests_per_minute / max_concurrent). A request over
 * a limit is answered 429 with `retry-after`, in the error shape of its route; other keys are not affected.
 * Requests per minute: a token bucket (a full minute's worth may come at once, then they refill evenly). Concurrent:
 * requests in flight, a stream counting until it ends.
 */
import type { ProxyKey } from "../config/schema.ts";
import { ApiError } from "../shared/errors.ts";

export type Admission = { release: () => void } | { refused: ApiError };

export interface KeyLimiter {
  admit(key: ProxyKey): Admission;
}

interface KeyState {
  tokens: number;
  at: number;
  inFlight: number;
  /** The requests_per_minute the bucket was filled for: a reload that changes it refills the bucket to the new size. */
  perMinute: number | undefined;
}

const noop = () => {};

export function createKeyLimiter(now: () => number = performance.now.bind(performance)): KeyLimiter {
  const states = new Map<string, KeyState>();
  const stateOf = (key: ProxyKey): KeyState => {
    let state = states.get(key.name);
    if (!state) {
      state = { tokens: key.requests_per_minute ?? 0, at: now(), inFlight: 0, perMinute: key.requests_per_minute };
      states.set(key.name, state);
    }
    return state;
  };

  return {
    admit(key) {
      if (key.requests_per_minute === undefined && key.max_concurrent === undefined) return { release: noop };
      const state = stateOf(key);
      if (key.max_concurrent !== undefined && state.inFlight >= key.max_concurrent) {
        return {
          refused: new ApiError(
            429,
            `proxy key "${key.name}" already has ${key.max_concurrent} request${key.max_concurrent === 1 ? "" : "s"} in flight, its limit (max_concurrent): retry when one has finished`,
            { type: "rate_limit_error", headers: { "retry-after": "1" } },
          ),
        };
      }
      const perMinute = key.requests_per_minute;
      if (perMinute !== state.perMinute) {
        state.perMinute = perMinute;
        state.tokens = perMinute ?? 0;
        state.at = now();
      }
      if (perMinute !== undefined) {
        const t = now();
        const perMs = perMinute / 60_000;
        state.tokens = Math.min(perMinute, state.tokens + (t - state.at) * perMs);
        state.at = t;
        if (state.tokens < 1) {
          const waitSeconds = Math.max(1, Math.ceil((1 - state.tokens) / perMs / 1000));
          return {
            refused: new ApiError(
              429,
              `proxy key "${key.name}" is over its limit of ${perMinute} request${perMinute === 1 ? "" : "s"} per minute (requests_per_minute): retry in ${waitSeconds} s`,
              { type: "rate_limit_error", headers: { "retry-after": String(waitSeconds) } },
            ),
          };
        }
        state.tokens -= 1;
      }
      state.inFlight += 1;
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          state.inFlight -= 1;
        },
      };
    },
  };
}
