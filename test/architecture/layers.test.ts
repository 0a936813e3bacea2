/**
 * The layer rule (AGENTS.md): a module imports only from its own layer or the layers below it. Lowest first:
 *   shared → config → auth → upstream → plan → accounts → models → openai → server → cli → index.ts
 * shared: errors, logging, HTTP types, the version; upstream: the client of Anthropic's API; models: the catalogue
 * and nicknames; plan: the subscription's windows, from headers and the usage endpoint; openai: the translators; server: the HTTP edge; cli: the commands.
 */
import { expect, test } from "bun:test";
import { Glob } from "bun";
import { dirname, join, relative, resolve } from "node:path";

export const LAYERS = [
  "shared",
  "config",
  "auth",
  "upstream",
  "plan",
  "accounts",
  "models",
  "openai",
  "server",
  "cli",
  "index.ts",
] as const;

const SRC = resolve(import.meta.dir, "../../src");
const layerOf = (file: string) => relative(SRC, file).split("/")[0]!;
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;

function imports(): { from: string; to: string }[] {
  const found: { from: string; to: string }[] = [];
  for (const path of new Glob("**/*.ts").scanSync(SRC)) {
    const file = join(SRC, path);
    const text = require("node:fs").readFileSync(file, "utf8") as string;
    for (const match of text.matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1]!);
      if (target.startsWith(SRC)) found.push({ from: file, to: target });
    }
  }
  return found;
}

test("every folder of src/ has a place in the layer order", () => {
  const folders = new Set(imports().flatMap(({ from, to }) => [layerOf(from), layerOf(to)]));
  for (const folder of folders) expect(LAYERS as readonly string[]).toContain(folder);
});

test("no module imports from a layer above its own", () => {
  const rank = (file: string) => (LAYERS as readonly string[]).indexOf(layerOf(file));
  const upward = imports()
    .filter(({ from, to }) => rank(to) > rank(from))
    .map(({ from, to }) => `${relative(SRC, from)} → ${relative(SRC, to)}`);
  expect(upward).toEqual([]);
});

test("the rule can fail: it sees an upward import when there is one", () => {
  const rank = (layer: string) => (LAYERS as readonly string[]).indexOf(layer);
  expect(rank("server")).toBeGreaterThan(rank("auth")); // auth → server would be reported
  expect(imports().length).toBeGreaterThan(100);
});
