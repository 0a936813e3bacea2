/**
 * The app's dependencies, built from a config: the plan tracker, metrics, the upstream client, the account pool in
 * front of it, the model catalogue and the stores. `serve` and the in-process tests build them the same way.
 */
import { DEFAULT_ACCOUNT } from "../auth/accounts.ts";
import { dirname, join } from "node:path";
import { createAccountPool } from "../accounts/pool.ts";
import { loadOrCreateKey } from "../auth/secret-key.ts";
import type { Config } from "../config/load.ts";
import { createCatalogue } from "../models/live.ts";
import { createReasoningSeal } from "../openai/responses/seal.ts";
import { createResponseStore } from "../openai/responses/store.ts";
import { createThinkingCache } from "../openai/thinking-cache.ts";
import { createPlanTracker } from "../plan/tracker.ts";
import { createUsageReader, type UsageReader } from "../plan/usage-api.ts";
import type { Fetch } from "../shared/http.ts";
import type { Logger } from "../shared/log.ts";
import { createUpstream } from "../upstream/upstream.ts";
import type { AppDeps } from "./deps.ts";
import { createMetrics } from "./metrics.ts";

export interface BuildOptions {
  config: Config;
  log: Logger;
  /** For token refreshes. */
  fetch: Fetch;
  /** For API calls (serve uses a client that overflows to node:http past Bun's fetch limit). */
  upstreamFetch: Fetch;
  /** The reasoning seal's key; default: read or made beside the token file. */
  sealKey?: Uint8Array;
}

export function buildAppDeps({ config, log, fetch, upstreamFetch, sealKey }: BuildOptions): AppDeps {
  let views: AppDeps["accounts"]["views"] = () => [];
  let names: () => string[] = () => [];
  const plan = createPlanTracker({ log, several: () => names().length > 1 });
  const metrics = createMetrics({ plan: plan.states, accounts: () => views() });
  const upstream = createUpstream({
    config,
    fetch: upstreamFetch,
    log,
    onAnswer: (headers, status, account) => plan.observe(headers, status, account),
  });
  const accounts = createAccountPool({
    config,
    upstream,
    fetch,
    plan,
    log,
    onRefresh: (account, outcome, detail) => {
      metrics.refresh(outcome);
      const whose = account === DEFAULT_ACCOUNT ? "" : ` of account ${account}`;
      if (outcome === "ok") log.info(`refreshed the Claude access token${whose}`);
      else log.warn(`token refresh${whose} failed: ${detail}`);
    },
    onSent: metrics.accountRequest,
    onFailover: metrics.failover,
  });
  views = accounts.views;
  names = accounts.names;
  const readers = new Map<string, UsageReader>();
  const usage = (account: string) => {
    const known = readers.get(account);
    if (known) return known;
    const reader = createUsageReader({ upstream: accounts, account });
    readers.set(account, reader);
    return reader;
  };
  return {
    config,
    accounts,
    upstream: accounts,
    models: createCatalogue(config, accounts, log),
    thinking: createThinkingCache({ onSize: metrics.thinkingCacheSize }),
    responses: createResponseStore({ onSize: metrics.responsesStored }),
    seal: createReasoningSeal(
      sealKey ?? loadOrCreateKey(join(dirname(config.storage.token_file), "reasoning.key"), (message) => log.warn(message)),
    ),
    plan,
    usage,
    log,
    metrics,
  };
}
