import { timingSafeEqual, createHash } from "node:crypto";
import { Elysia } from "elysia";
import type { Config } from "../config/load.ts";
import type { ProxyKey } from "../config/schema.ts";
import { ApiError } from "../shared/errors.ts";
import type { AccessNote } from "./access-log.ts";
import { MAX_BODY_BYTES } from "./body.ts";
import type { KeyLimiter } from "./key-limits.ts";
import { pathOf, routedPath } from "./paths.ts";
import { errorResponse } from "./respond.ts";

/** Paths anyone may call, even when proxy API keys are configured. */
const OPEN_PATHS = new Set(["/healthz"]);
/**
 * Paths served without a proxy key but still behind the Origin/Host checks: the status page (GET /) holds no data
 * (its script fetches /usage and /status.json, which need the key), and a person needs it to type the key in.
 */
const KEYLESS_PATHS = new Set([...OPEN_PATHS, "/"]);

/** Paths a key may call without its limits applying: cheap status reads, not API requests. */
const UNLIMITED_PATHS = new Set(["/usage", "/status.json", "/metrics", "/auth/status", "/accounts"]);

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
 * Returns the error to answer with, or the key that matched (undefined: no keys configured, or a keyless path).
 */
export function createKeyGuard(keys: readonly ProxyKey[]): (request: Request, path: string) => ApiError | ProxyKey | undefined {
  if (keys.length === 0) return () => undefined;
  const expected = keys.map((key) => ({ key, digest: digest(key.key) }));
  return (request, path) => {
    if (KEYLESS_PATHS.has(path)) return undefined;
    const presented = presentedKey(request.headers);
    if (!presented)
      return new ApiError(
        401,
        "this maximize server requires an API key: send it as x-api-key or Authorization: Bearer (one of server.api_keys / MAXIMIZE_API_KEYS)",
      );
    const given = digest(presented);
    let match: ProxyKey | undefined;
    for (const candidate of expected) if (timingSafeEqual(candidate.digest, given)) match ??= candidate.key;
    return match ?? new ApiError(401, "invalid API key for this maximize server (check server.api_keys / MAXIMIZE_API_KEYS)");
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i;
export const isLoopback = (address: string) => LOOPBACK.test(address);

/**
 * Keeps web pages away from a proxy that holds someone's login. Browsers send `Origin` with every cross-site POST
 * (even a "no-cors" one, whose answer the page can't read but which would still spend the subscription), so such
 * requests are refused. And while listening on loopback only, a Host header that is not a loopback name means a
 * DNS-rebinding page is talking to us: refused too. Programs (SDKs, curl, Claude Code) send neither.
 */
export function createBrowserGuard(listensOnLoopback: boolean): (request: Request, path: string, host: string) => ApiError | undefined {
  return (request, path, host) => {
    if (OPEN_PATHS.has(path)) return undefined;
    const origin = request.headers.get("origin");
    if (origin) {
      return new ApiError(
        403,
        `requests from web pages are refused (Origin: ${origin.slice(0, 100)}): a page you visit must not be able to use your Claude login. Call maximize from a program, not from a browser`,
      );
    }
    if (listensOnLoopback && !isLoopback(host)) {
      return new ApiError(
        403,
        `Host ${host.slice(0, 100)} is not a loopback name, and maximize listens on loopback only: refused (DNS rebinding protection). Use http://127.0.0.1:PORT or http://localhost:PORT`,
      );
    }
    return undefined;
  };
}

/** JSON bodies only; a missing content-type is accepted as JSON (many minimal clients omit it). */
const isJsonContentType = (type: string | null) => !type || /^application\/([\w.+-]*\+)?json\b/i.test(type.trim());

/**
 * Every check a request passes before any route sees it, in one plugin: a normalised target, no web pages, the
 * proxy API key, a JSON content type, and a declared body within the limit. The guards and the router judge the same
 * path (a request whose routed path differs from its real one is refused first).
 */
export function requestGuards(
  server: Config["server"],
  keys: {
    limiter: KeyLimiter;
    access: (request: Request) => AccessNote;
    onAdmission?: (name: string, outcome: "admitted" | "limited") => void;
  },
) {
  // Rebuilt when a config reload replaces the list (compared by identity: one pointer check per request).
  let keyList = server.api_keys;
  let keyGuard = createKeyGuard(keyList);
  const browserGuard = createBrowserGuard(isLoopback(server.bind_address));
  return new Elysia({ name: "guards" }).onRequest(({ request }) => {
    // The one full URL parse per request; everything after goes by the cheap routed path.
    const url = new URL(request.url);
    if (routedPath(request.url) !== url.pathname) {
      return errorResponse(
        new ApiError(400, "malformed request target or Host header: send a normalised path and a host name such as 127.0.0.1:8081"),
        "/",
      );
    }
    const path = pathOf(request.url);
    const browserRefusal = browserGuard(request, path, url.hostname);
    if (browserRefusal) return errorResponse(browserRefusal, path);
    if (server.api_keys !== keyList) {
      keyList = server.api_keys;
      keyGuard = createKeyGuard(keyList);
    }
    const key = keyGuard(request, path);
    if (key instanceof ApiError) return errorResponse(key, path);
    if (key) {
      // The key's name goes on the access line; its limits are checked here, before any work is done.
      const note = keys.access(request);
      note.key = key.name;
      // What the status page polls (and monitors scrape) does not spend the key's budget for API requests.
      if (!UNLIMITED_PATHS.has(path)) {
        const admission = keys.limiter.admit(key);
        keys.onAdmission?.(key.name, "refused" in admission ? "limited" : "admitted");
        if ("refused" in admission) return errorResponse(admission.refused, path);
        note.release = admission.release;
      }
    }
    if (request.method === "POST" && !isJsonContentType(request.headers.get("content-type"))) {
      const type = request.headers.get("content-type");
      return errorResponse(
        new ApiError(415, `content-type ${type} is not supported: send the body as JSON with content-type: application/json`),
        path,
      );
    }
    const length = Number(request.headers.get("content-length") ?? 0);
    if (length > MAX_BODY_BYTES) {
      return errorResponse(new ApiError(413, `request body is ${length} bytes; the limit is ${MAX_BODY_BYTES} bytes (32 MB)`), path);
    }
  });
}
