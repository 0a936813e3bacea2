import { timingSafeEqual, createHash } from "node:crypto";
import { ApiError } from "./errors.ts";

/** Paths anyone may call, even when proxy API keys are configured. */
const OPEN_PATHS = new Set(["/healthz"]);

const digest = (value: string) => createHash("sha256").update(value).digest();

/** The key a client presented: `x-api-key`, or `Authorization: Bearer` (what the OpenAI SDK sends). */
export function presentedKey(headers: Headers): string | undefined {
  const apiKey = headers.get("x-api-key");
  if (apiKey) return apiKey.trim();
  const auth = headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return undefined;
}

/**
 * Checks proxy API keys in constant time (over fixed-length digests, so neither content nor length leaks).
 * Returns undefined when the request may pass, else the error to answer with.
 */
export function createKeyGuard(keys: readonly string[]): (request: Request, path: string) => ApiError | undefined {
  if (keys.length === 0) return () => undefined;
  const expected = keys.map(digest);
  return (request, path) => {
    if (OPEN_PATHS.has(path)) return undefined;
    const key = presentedKey(request.headers);
    if (!key) return new ApiError(401, "this maximize server requires an API key: send it as x-api-key or Authorization: Bearer (one of MAXIMIZE_API_KEYS)");
    const given = digest(key);
    let match = false;
    for (const candidate of expected) match = timingSafeEqual(candidate, given) || match;
    return match ? undefined : new ApiError(401, "invalid API key for this maximize server (check MAXIMIZE_API_KEYS)");
  };
}
