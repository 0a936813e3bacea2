import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateKey } from "../../../src/auth/secret-key.ts";
import { createReasoningSeal } from "../../../src/openai/responses/seal.ts";
import type { ThinkingBlock } from "../../../src/openai/thinking-cache.ts";

const blocks: ThinkingBlock[] = [
  { type: "thinking", thinking: "Let me think.", signature: "EqQBsig" },
  { type: "redacted_thinking", data: "opaque" },
];

test("sealed thinking opens to exactly what went in", () => {
  const seal = createReasoningSeal(new Uint8Array(32).fill(7));
  const sealed = seal.seal(blocks);
  expect(sealed).toStartWith("mx1.");
  expect(JSON.stringify(sealed)).not.toContain("Let me think");
  expect(seal.open(sealed)).toEqual(blocks);
});

test.each([
  ["another key", (sealed: string) => sealed, new Uint8Array(32).fill(8)],
  ["a changed byte", (sealed: string) => `${sealed.slice(0, 10)}${sealed[10] === "A" ? "B" : "A"}${sealed.slice(11)}`, undefined],
  ["truncated", (sealed: string) => sealed.slice(0, 20), undefined],
  ["not ours", () => "gAAAAABforeign-openai-item", undefined],
])("refused: %s", (_name, tamper, otherKey) => {
  const sealed = createReasoningSeal(new Uint8Array(32).fill(7)).seal(blocks);
  const opener = createReasoningSeal(otherKey ?? new Uint8Array(32).fill(7));
  expect(opener.open(tamper(sealed))).toBeUndefined();
});

test("the key is made once, kept 0600, and read back by the next process; reading waits for first use", () => {
  const path = join(mkdtempSync(join(tmpdir(), "maximize-key-")), "state", "reasoning.key");
  let reads = 0;
  const seal = createReasoningSeal(() => {
    reads += 1;
    return loadOrCreateKey(path);
  });
  expect(reads).toBe(0);
  const sealed = seal.seal(blocks);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(createReasoningSeal(loadOrCreateKey(path)).open(sealed)).toEqual(blocks);
  expect(readFileSync(path, "utf8").trim().length).toBeGreaterThan(40);
  seal.open(sealed);
  expect(reads).toBe(1);
});
