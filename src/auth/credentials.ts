import type { Config } from "../config/load.ts";
import type { Fetch } from "../shared/http.ts";
import { accountCredentials, accountFile, DEFAULT_ACCOUNT } from "./accounts.ts";
import { apiKeyCredentials, type Credentials } from "./tokens.ts";

/**
 * The credentials of one account (`default`: the token file): an Anthropic API key when the config sets one (then it
 * is the only account), else the account's file — a Claude login or a stored API key.
 */
export function createCredentials(
  config: Config,
  fetch: Fetch,
  onRefresh?: (outcome: "ok" | "failed", detail?: string) => void,
  account = DEFAULT_ACCOUNT,
): Credentials {
  if (config.api.anthropic_api_key) return apiKeyCredentials(config.api.anthropic_api_key, config.storage.token_file);
  return accountCredentials(config, { name: account, path: accountFile(config, account) }, fetch, onRefresh).credentials;
}
