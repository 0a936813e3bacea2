import { expect, test } from "bun:test";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { readJsonFile } from "../../src/shared/json-file.ts";

const Schema = v.strictObject({ name: v.string("a string") }, "an object");
const file = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), "maximize-json-")), "f.json");
  writeFileSync(path, content);
  return path;
};

test.each<[string, string | undefined, unknown]>([
  ["fits", '{"name":"a"}', { ok: true, value: { name: "a" } }],
  ["missing", undefined, { ok: false, problem: { kind: "missing" } }],
  ["not JSON", "{bad", { ok: false, problem: { kind: "not_json", message: expect.stringContaining("JSON") } }],
  ["JSON but not an object", "[1]", { ok: false, problem: { kind: "not_object", value: [1] } }],
  [
    "a key of the wrong type",
    '{"name":3}',
    { ok: false, problem: { kind: "invalid", key: "name", issue: expect.objectContaining({ message: "a string" }) } },
  ],
])("%s", (_name, content, expected) => {
  const path = content === undefined ? join(tmpdir(), "maximize-json-absent", "f.json") : file(content);
  expect(readJsonFile(path, Schema)).toEqual(expected as never);
});

test.skipIf(process.getuid?.() === 0)("unreadable", () => {
  const path = file("{}");
  chmodSync(path, 0);
  expect(readJsonFile(path, Schema)).toMatchObject({ ok: false, problem: { kind: "unreadable" } });
});
