import { Elysia } from "elysia";
import type { RouteDeps } from "../deps.ts";
import { STATUS_PAGE_HEADERS, STATUS_PAGE_HTML } from "../status-page.ts";

/**
 * GET /: the status page. The document is the same for everyone and holds no data (its script fetches `/usage` and
 * `/status.json`, which stay behind the guards), so it is served without a proxy key: a person needs the page to be
 * able to type one in. `deps` is taken like every route module's, though the page needs none of it.
 */
export function pageRoutes(_deps: RouteDeps) {
  return new Elysia({ name: "page" }).get("/", () => new Response(STATUS_PAGE_HTML, { headers: STATUS_PAGE_HEADERS }));
}
