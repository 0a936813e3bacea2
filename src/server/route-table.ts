/**
 * The routes the app serves, read from the app itself (Elysia's `app.routes`), so the 404 text, the 405 `allow`
 * header and the metrics' route label can never drift from what is really served.
 */

export interface RouteTable {
  /** The route a path belongs to, as registered ("/v1/models/:id"), or undefined. */
  match(path: string): string | undefined;
  /** The methods registered for a route. */
  methods(route: string): string[];
  /** Every route, in registration order. */
  readonly routes: string[];
}

const toPattern = (route: string) => new RegExp(`^${route.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\:\w+|:\w+/g, "[^/]+")}$`);

export function routeTable(registered: readonly { method: string; path: string }[]): RouteTable {
  const byRoute = new Map<string, string[]>();
  for (const { method, path } of registered) byRoute.set(path, [...(byRoute.get(path) ?? []), method]);
  const patterns = [...byRoute.keys()].map((route) => ({ route, pattern: toPattern(route) }));
  return {
    match: (path) => (byRoute.has(path) ? path : patterns.find(({ pattern }) => pattern.test(path))?.route),
    methods: (route) => byRoute.get(route) ?? [],
    routes: [...byRoute.keys()],
  };
}
