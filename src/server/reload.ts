/**
 * Applying a re-read config to a running server: what can change live is copied into the running config (which the
 * modules read per request: proxy keys and their limits, timeouts, betas, the user agent), the nickname table and the
 * log settings are handed to their owners; what cannot (the address, the login, the upstream) is named so the person
 * knows a restart is needed. Requests in flight keep what they started with.
 */
import type { Config } from "../config/load.ts";
import type { ModelCatalogue } from "../models/catalogue.ts";
import type { Logger } from "../shared/log.ts";
import { isLoopback } from "./guard.ts";

/** Settings a running server takes over from a reloaded config. */
const LIVE = new Set([
  "server.api_keys",
  "server.log_level",
  "server.log_format",
  "api.request_timeout",
  "api.stream_idle_timeout",
  "api.oauth_betas",
  "api.user_agent",
  "models.nicknames",
  "models.default",
  "accounts.order",
  "accounts.avoid_extra_usage",
]);

export interface ReloadOutcome {
  /** Settings that changed and now apply. */
  applied: string[];
  /** Settings that changed but apply only after a restart. */
  restart: string[];
}

type Sections = Record<string, Record<string, unknown>>;

/** The settings (section.key) whose values differ between two configs. */
export function changedSettings(running: Config, next: Config): string[] {
  const before = running as unknown as Sections;
  const after = next as unknown as Sections;
  const changed: string[] = [];
  for (const section of Object.keys(after)) {
    const values = after[section];
    if (typeof values !== "object" || values === null || Array.isArray(values)) continue;
    for (const key of new Set([...Object.keys(values), ...Object.keys(before[section] ?? {})])) {
      if (JSON.stringify(before[section]?.[key]) !== JSON.stringify(values[key])) changed.push(`${section}.${key}`);
    }
  }
  return changed;
}

/** A reloaded config the running server must not take (it would be unsafe), with why. */
export class ReloadRefused extends Error {
  override name = "ReloadRefused";
}

export function applyConfig(running: Config, next: Config, owners: { models: ModelCatalogue; log: Logger }): ReloadOutcome {
  // The start-up rule (server/serve.ts checkExposure) holds for a reload too: the address cannot change live, the keys can.
  if (!isLoopback(running.server.bind_address) && !running.server.allow_open && next.server.api_keys.length === 0) {
    throw new ReloadRefused(
      `it has no proxy API keys, and this server listens on ${running.server.bind_address}: anyone who can reach it could use your Claude login. Keep at least one key (or restart with --allow-open)`,
    );
  }
  const changed = changedSettings(running, next);
  const applied = changed.filter((setting) => LIVE.has(setting));
  const target = running as unknown as Sections;
  const source = next as unknown as Sections;
  for (const setting of applied) {
    const [section, key] = setting.split(".") as [string, string];
    (target[section] as Record<string, unknown>)[key] = source[section]?.[key];
  }
  if (applied.some((setting) => setting.startsWith("models."))) owners.models.configure(running.models.nicknames, running.models.default);
  if (applied.some((setting) => setting.startsWith("server.log_") || setting === "server.api_keys")) {
    owners.log.configure?.({
      level: running.server.log_level,
      format: running.server.log_format,
      secrets: running.server.api_keys.map((key) => key.key),
    });
  }
  return { applied, restart: changed.filter((setting) => !LIVE.has(setting)) };
}
