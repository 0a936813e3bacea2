/**
 * The path as Elysia routes it: it skips the first 11 characters of the URL ("http://x.y") for speed, so a very
 * short Host header or an unnormalised path makes it disagree with the real path. app.ts refuses requests where
 * the two differ, so for every request that is served this cheap string form is the real path.
 */
export function routedPath(url: string): string {
  const start = url.indexOf("/", 11);
  if (start === -1) return "/";
  const query = url.indexOf("?", start + 1);
  return url.substring(start, query === -1 ? undefined : query);
}

/** The routed path without trailing slashes: what the access log, metrics, guards and error shapes go by. */
export const pathOf = (url: string) => routedPath(url).replace(/\/+$/, "") || "/";

/** The query string with its "?" ("" when there is none), as the client sent it. */
export function queryOf(url: string): string {
  const index = url.indexOf("?");
  return index === -1 ? "" : url.slice(index);
}
