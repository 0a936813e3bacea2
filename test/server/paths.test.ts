import { expect, test } from "bun:test";
import { pathOf, queryOf, routedPath } from "../../src/server/paths.ts";

test.each([
  ["http://127.0.0.1:8081/v1/messages", "/v1/messages", "/v1/messages", ""],
  ["http://127.0.0.1:8081/v1/messages?beta=true", "/v1/messages", "/v1/messages", "?beta=true"],
  ["http://127.0.0.1:8081/v1/models/", "/v1/models/", "/v1/models", ""],
  ["http://localhost:8081/", "/", "/", ""],
  ["http://127.0.0.1:8081/v1/models?lifecycle[]=active&limit=2", "/v1/models", "/v1/models", "?lifecycle[]=active&limit=2"],
])("%s", (url, routed, path, query) => {
  expect([routedPath(url), pathOf(url), queryOf(url)]).toEqual([routed, path, query]);
});

test("a very short host makes the routed path differ from the real one (which app.ts then refuses)", () => {
  const url = "http://x/healthz?/v1/messages";
  expect(routedPath(url)).not.toBe(new URL(url).pathname);
});
