import type { Config } from "../config/load.ts";
import type { Logger } from "../shared/log.ts";
import type { Upstream } from "../upstream/upstream.ts";
import { createModelCatalogue, type ModelCatalogue } from "./catalogue.ts";

/** A catalogue page that takes longer than this is given up (the nicknames then use the fallback table). */
const CATALOGUE_TIMEOUT_MS = 20_000;

/** The model catalogue for a config, fetched through the upstream path (credentials, refresh, headers). */
export function createCatalogue(config: Config, upstream: Upstream, log?: Pick<Logger, "info" | "warn">): ModelCatalogue {
  const fetchPage = async (query: string) => {
    const signal = AbortSignal.timeout(CATALOGUE_TIMEOUT_MS);
    try {
      return await upstream.send({ method: "GET", path: `/v1/models?${query}`, clientHeaders: new Headers(), signal });
    } catch (error) {
      if (signal.aborted) throw new Error(`no answer within ${CATALOGUE_TIMEOUT_MS / 1000}s`);
      throw error;
    }
  };
  return createModelCatalogue({
    fetchPage,
    nicknames: config.models.nicknames,
    defaultModel: config.models.default,
    refreshIntervalMs: config.models.refresh_interval * 1000,
    log,
  });
}
