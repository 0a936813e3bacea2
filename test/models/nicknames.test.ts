import { expect, test } from "bun:test";
import { BUILTIN_NICKNAMES, nicknameTable } from "../../src/models/nicknames.ts";

test("the six sizes are lines, never model IDs (so they cannot go stale)", () => {
  expect(Object.keys(BUILTIN_NICKNAMES)).toEqual(["xs", "s", "m", "l", "xl", "xxl"]);
  for (const definition of Object.values(BUILTIN_NICKNAMES)) {
    expect(definition.model).toBeUndefined();
    expect(definition.line).toMatch(/^(haiku|sonnet|opus)$/);
  }
});

test.each([
  ["no config: the built-in table", {}, "xxl", { line: "opus", effort: "highest" }],
  ["a string is exactly that model, nothing added", { xs: "claude-haiku-4-5" }, "xs", { model: "claude-haiku-4-5" }],
  ["a model and an effort together", { l: { model: "claude-opus-4-8", effort: "low" } }, "l", { model: "claude-opus-4-8", effort: "low" }],
  ["effort default drops the size's effort", { xxl: { effort: "default" } }, "xxl", { line: "opus" }],
  ["an object with a line keeps the effort", { xxl: { line: "fable" } }, "xxl", { line: "fable", effort: "highest" }],
  ["an object with an effort keeps the line", { l: { effort: "max" } }, "l", { line: "sonnet", effort: "max" }],
  [
    "an object with a model drops the line and keeps the size's effort",
    { xxl: { model: "claude-opus-4-8" } },
    "xxl",
    { model: "claude-opus-4-8", effort: "highest" },
  ],
  ["a new name", { fast: { line: "haiku" } }, "fast", { line: "haiku" }],
] as const)("%s", (_name, config, nickname, expected) => {
  expect(nicknameTable(config as never)[nickname]).toEqual(expected as never);
});
