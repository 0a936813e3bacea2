import type { Credentials } from "../auth/tokens.ts";
import type { Config } from "../config/load.ts";
import { ApiError } from "../shared/errors.ts";
import type { Fetch } from "../shared/http.ts";
import { createUpstream } from "../upstream/upstream.ts";

/** What one cheap call with a credential showed: it works, the API refused it, or the API could not be asked. */
export type CredentialCheck =
  | { outcome: "works" }
  | { outcome: "refused"; status: number; message: string }
  | { outcome: "unchecked"; reason: string };

/** A check waits this long at most: a login should not hang on a slow network for api.request_timeout (600 s). */
const CHECK_TIMEOUT_SECONDS = 15;

const errorMessage = (body: string): string => {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === "string") return parsed.error.message;
  } catch {}
  return body.slice(0, 200);
};

/**
 * Asks GET /v1/models?limit=1 with the credential, through the same upstream client (headers, betas) the proxy
 * uses: it costs no tokens, and a revoked or mistyped token is refused there with 401 `authentication_error`
 * (docs/PROTOCOL.md §2, §3).
 */
export async function checkCredential(deps: { config: Config; fetch: Fetch; credentials: Credentials }): Promise<CredentialCheck> {
  const config = {
    ...deps.config,
    api: { ...deps.config.api, request_timeout: Math.min(deps.config.api.request_timeout, CHECK_TIMEOUT_SECONDS) },
  };
  const upstream = createUpstream({ config, credentials: deps.credentials, fetch: deps.fetch });
  let response: Response;
  try {
    response = await upstream.send({ method: "GET", path: "/v1/models?limit=1", clientHeaders: new Headers() });
  } catch (error) {
    if (error instanceof ApiError) return { outcome: "unchecked", reason: error.message };
    throw error;
  }
  const body = await response.text().catch(() => "");
  if (response.ok) return { outcome: "works" };
  // Only a 401 says the token is bad; a 403 (permission_error) may be about this endpoint and the token's scopes.
  if (response.status === 401) return { outcome: "refused", status: response.status, message: errorMessage(body) };
  return { outcome: "unchecked", reason: `the Anthropic API answered ${response.status}: ${errorMessage(body)}` };
}
