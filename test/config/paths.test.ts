import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultTokenFile, expandHome, homeDir, resolveTokenFile } from "../../src/config/paths.ts";

test.each([
  ["~", "/home/u"],
  ["~/x/y.json", "/home/u/x/y.json"],
  ["/abs/y.json", "/abs/y.json"],
  ["rel/~/y", "rel/~/y"],
])("expandHome(%p)", (path, expected) => {
  expect(expandHome(path, "/home/u")).toBe(expected);
});

test("homeDir prefers HOME, then USERPROFILE", () => {
  expect(homeDir({ HOME: "/h", USERPROFILE: "C:\\u" })).toBe("/h");
  expect(homeDir({ USERPROFILE: "C:\\u" })).toBe("C:\\u");
});

test("resolveTokenFile: ~ expanded, relative made absolute, a directory gets tokens.json", () => {
  const dir = mkdtempSync(join(tmpdir(), "maximize-paths-"));
  expect(resolveTokenFile("~/t.json", "/home/u", "/cwd")).toBe("/home/u/t.json");
  expect(resolveTokenFile("t.json", "/home/u", "/cwd")).toBe("/cwd/t.json");
  expect(resolveTokenFile(dir, "/home/u", "/cwd")).toBe(join(dir, "tokens.json"));
  expect(resolveTokenFile("state/", "/home/u", "/cwd")).toBe("/cwd/state/tokens.json");
  expect(defaultTokenFile("/home/u")).toBe("/home/u/.maximize/tokens.json");
});
