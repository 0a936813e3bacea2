/**
 * `GET /api/oauth/usage` (docs/PROTOCOL.md §8): the plan's windows without spending a token, asked with the stored
 * login through the upstream client (so the token is refreshed when needed). Single-flight and cached for a while:
 * any number of callers in that time share one request.
 */
import type { Upstream } from "../upstream/upstream.ts";
import { planFromUsage, type PlanState } from "./plan.ts";

export interface UsageReader {
  /** The plan as the usage endpoint tells it; rejects with why it could not be asked. */
  read(): Promise<PlanState>;
}

export function createUsageReader(options: {
  upstream: Upstream;
  account?: string;
  cacheMs?: number;
  timeoutMs?: number;
  now?: () => number;
}): UsageReader {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 30_000;
  let cached: { at: number; state: Promise<PlanState> } | undefined;
  const ask = async (): Promise<PlanState> => {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const signal = AbortSignal.timeout(timeoutMs);
    const response = await options.upstream
      .send({ method: "GET", path: "/api/oauth/usage", clientHeaders: new Headers(), signal, account: options.account })
      .catch((error: unknown) => {
        // Our own deadline reaches upstream as a client abort ("the client closed the request"): say what it was.
        if (signal.aborted) throw new Error(`the usage endpoint did not answer within ${timeoutMs / 1000}s`);
        throw error;
      });
    const text = await response.text();
    if (!response.ok) {
      const message = /"message"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? `HTTP ${response.status}`;
      throw new Error(`the usage endpoint answered ${response.status} (${message})`);
    }
    return planFromUsage(JSON.parse(text) as Record<string, unknown>, options.account ?? "default", now());
  };
  return {
    read() {
      if (cached && now() - cached.at < cacheMs) return cached.state;
      const state = ask();
      cached = { at: now(), state };
      // A failure is not cached: the next caller asks again.
      state.catch(() => {
        if (cached?.state === state) cached = undefined;
      });
      return state;
    },
  };
}
