import { describe, expect, test } from "bun:test";
import { effortLevels, fitEffort, isActive, newestFirst, type ModelInfo } from "../../src/models/info.ts";

const withEfforts = (...levels: string[]): ModelInfo => ({
  id: "m",
  capabilities: { effort: { supported: levels.length > 0, ...Object.fromEntries(levels.map((level) => [level, { supported: true }])) } },
});

describe("effortLevels", () => {
  test.each<[string, ModelInfo | undefined, string[]]>([
    ["unknown model", undefined, []],
    ["no capabilities", { id: "m" }, []],
    ["effort unsupported", { id: "m", capabilities: { effort: { supported: false, low: { supported: true } } } }, []],
    ["listed levels in order", withEfforts("max", "low", "high"), ["low", "high", "max"]],
    [
      "a level marked unsupported is left out",
      { id: "m", capabilities: { effort: { supported: true, low: { supported: true }, xhigh: { supported: false }, max: null } } },
      ["low"],
    ],
  ])("%s", (_name, model, expected) => {
    expect(effortLevels(model)).toEqual(expected as never);
  });
});

describe("fitEffort", () => {
  test.each<[string, Parameters<typeof fitEffort>[0], ModelInfo | undefined, string | undefined]>([
    ["listed level", "medium", withEfforts("low", "medium", "high"), "medium"],
    ["highest", "highest", withEfforts("low", "medium", "high", "xhigh", "max"), "max"],
    ["highest on a model without max", "highest", withEfforts("low", "medium", "high"), "high"],
    ["missing level falls to the nearest below", "xhigh", withEfforts("low", "medium", "high"), "high"],
    ["nothing below: the lowest listed", "low", withEfforts("medium", "high"), "medium"],
    ["model takes no effort", "low", withEfforts(), undefined],
    ["unknown model: as asked", "low", undefined, "low"],
    ["unknown model: highest needs a list", "highest", undefined, undefined],
    ["a model the catalogue lists without capabilities: as asked", "max", { id: "m" }, "max"],
  ])("%s", (_name, wanted, model, expected) => {
    expect(fitEffort(wanted, model)).toBe(expected as never);
  });
});

test("isActive: active or no lifecycle (older API); never deprecated or retired", () => {
  expect(["active", undefined, null, "deprecated", "retired"].map((lifecycle) => isActive({ id: "m", lifecycle }))).toEqual([
    true,
    true,
    true,
    false,
    false,
  ]);
});

test("newestFirst orders by created_at, unknown dates last", () => {
  const models: ModelInfo[] = [
    { id: "b", created_at: "2026-01-01T00:00:00Z" },
    { id: "undated" },
    { id: "a", created_at: "2026-09-01T00:00:00Z" },
  ];
  expect(models.sort(newestFirst).map((model) => model.id)).toEqual(["a", "b", "undated"]);
});
