import { expect, test } from "bun:test";
import { toAnthropicSchema } from "../../src/openai/json-schema.ts";

test.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
  [
    "a supported schema is unchanged",
    { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false },
    { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false },
    [],
  ],
  [
    "objects with properties get additionalProperties: false",
    { type: "object", properties: { a: { type: "object", properties: {} } } },
    { type: "object", properties: { a: { type: "object", properties: {}, additionalProperties: false } }, additionalProperties: false },
    [],
  ],
  [
    "an explicit additionalProperties is kept",
    { type: "object", properties: {}, additionalProperties: true },
    { type: "object", properties: {}, additionalProperties: true },
    [],
  ],
  [
    "bounds move into the description, in items and anyOf too",
    { type: "array", items: { type: "string", maxLength: 5 }, minItems: 2, maxItems: 4 },
    { type: "array", items: { type: "string", description: "{maxLength: 5}" }, description: "{minItems: 2, maxItems: 4}" },
    ["$.items.maxLength", "$.minItems", "$.maxItems"],
  ],
  [
    "minItems 0 and 1 stay",
    { type: "array", items: { type: "string" }, minItems: 1 },
    { type: "array", items: { type: "string" }, minItems: 1 },
    [],
  ],
  [
    "oneOf becomes anyOf",
    { oneOf: [{ type: "string" }, { type: "null" }] },
    { anyOf: [{ type: "string" }, { type: "null" }] },
    ["$.oneOf (as anyOf)"],
  ],
  [
    "$defs are adapted",
    { $defs: { n: { type: "number", multipleOf: 2 } }, $ref: "#/$defs/n" },
    { $defs: { n: { type: "number", description: "{multipleOf: 2}" } }, $ref: "#/$defs/n" },
    ["$.$defs.n.multipleOf"],
  ],
  [
    "enum values are data, not schemas",
    { type: "string", enum: ["minimum", "maxLength"] },
    { type: "string", enum: ["minimum", "maxLength"] },
    [],
  ],
])("%s", (_name, input, expected, moved) => {
  const copy = structuredClone(input);
  const result = toAnthropicSchema(input);
  expect(result.schema).toEqual(expected);
  expect(result.moved).toEqual(moved);
  expect(input).toEqual(copy); // the client's schema is not mutated
});
