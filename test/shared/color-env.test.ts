import { expect, test } from "bun:test";
import { normaliseColourEnv } from "../../src/shared/color-env.ts";
import { wantsColour } from "../../src/shared/log.ts";

test.each<[string, Record<string, string>, Record<string, string>]>([
  ["FORCE_COLOR=0 becomes NO_COLOR", { FORCE_COLOR: "0" }, { NO_COLOR: "1" }],
  ["FORCE_COLOR=false too", { FORCE_COLOR: "false" }, { NO_COLOR: "1" }],
  ["FORCE_COLOR=1 stays", { FORCE_COLOR: "1" }, { FORCE_COLOR: "1" }],
  ["an empty NO_COLOR is not set", { NO_COLOR: "" }, {}],
  ["NO_COLOR=1 stays", { NO_COLOR: "1" }, { NO_COLOR: "1" }],
])("normaliseColourEnv: %s", (_name, before, after) => {
  const env: Record<string, string | undefined> = { ...before };
  normaliseColourEnv(env);
  expect(env).toEqual(after);
});

test.each<[string, boolean, Record<string, string>, boolean]>([
  ["a terminal", true, {}, true],
  ["not a terminal", false, {}, false],
  ["a dumb terminal", true, { TERM: "dumb" }, false],
  ["NO_COLOR on a terminal", true, { NO_COLOR: "1" }, false],
  ["FORCE_COLOR=1 off a terminal", false, { FORCE_COLOR: "1" }, true],
  ["FORCE_COLOR=0 on a terminal", true, { FORCE_COLOR: "0" }, false],
  ["NO_COLOR beats FORCE_COLOR", false, { NO_COLOR: "1", FORCE_COLOR: "1" }, false],
])("wantsColour: %s", (_name, isTTY, env, expected) => {
  expect(wantsColour(isTTY, env)).toBe(expected);
});
