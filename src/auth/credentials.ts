import type { Config } from "../config/load.ts";
import type { Fetch } from "../shared/http.ts";
import { createTokenStore } from "./store.ts";
import { apiKeyCredentials, oauthCredentials, type Credentials } from "./tokens.ts";

/** The credentials a config names: an Anthropic API key when one is set, else the Claude login in the token file. */
export function createCredentials(
  config: Config,
  fetch: Fetch,
  onRefresh?: (outcome: "ok" | "failed", detail?: string) => void,
): Credentials {
  if (config.api.anthropic_api_key) return apiKeyCredentials(config.api.anthropic_api_key, config.storage.token_file);
  return oauthCredentials({ config, store: createTokenStore(config.storage.token_file), fetch, onRefresh });
}
