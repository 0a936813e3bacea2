import { expect, test } from "bun:test";
import { routeTable } from "../../src/server/route-table.ts";

const table = routeTable([
  { method: "POST", path: "/v1/messages" },
  { method: "GET", path: "/v1/models/:id" },
  { method: "GET", path: "/healthz" },
  { method: "HEAD", path: "/healthz" },
]);

test.each([
  ["/v1/messages", "/v1/messages"],
  ["/v1/models/claude-opus-5-5", "/v1/models/:id"],
  ["/v1/models/a/b", undefined],
  ["/v1/messagesx", undefined],
  ["/healthz", "/healthz"],
])("match(%p) = %p", (path, expected) => {
  expect(table.match(path)).toBe(expected as never);
});

test("methods and routes in registration order", () => {
  expect(table.methods("/healthz")).toEqual(["GET", "HEAD"]);
  expect(table.methods("/nope")).toEqual([]);
  expect(table.routes).toEqual(["/v1/messages", "/v1/models/:id", "/healthz"]);
});
