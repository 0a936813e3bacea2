import { expect, test } from "bun:test";
import * as v from "valibot";
import { describeIssue, describeIssues, describeValue } from "../../src/shared/issues.ts";

const Body = v.looseObject({
  model: v.optional(v.string()),
  max_tokens: v.optional(v.number()),
  temperature: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  stream: v.optional(v.boolean()),
  messages: v.array(
    v.looseObject({
      role: v.picklist(["user", "assistant"]),
      content: v.union([v.string(), v.array(v.looseObject({ type: v.string() }))]),
    }),
  ),
  stop: v.optional(v.pipe(v.array(v.string()), v.minLength(1))),
  name: v.optional(v.pipe(v.string(), v.nonEmpty())),
  n: v.optional(v.pipe(v.number(), v.integer())),
});
const Strict = v.strictObject({ port: v.optional(v.number("an integer from 1 to 65535")) });
const Token = v.looseObject({ access_token: v.pipe(v.string("a string"), v.nonEmpty("a non-empty string")) });
const Sentence = v.looseObject({ messages: v.array(v.unknown(), "messages must be an array of message objects") });

const first = (schema: v.GenericSchema, input: unknown) => {
  const result = v.safeParse(schema, input);
  if (result.success) throw new Error("expected a failure");
  return describeIssue(result.issues[0], "the request body");
};

const ok = { messages: [{ role: "user", content: "hi" }] };

test.each<[string, v.GenericSchema, unknown, string]>([
  ["a missing key", Body, {}, "messages is required"],
  ["a missing nested key", Body, { messages: [ok.messages[0], ok.messages[0], { role: "user" }] }, "messages[2].content is required"],
  ["a wrong type", Body, { ...ok, max_tokens: "hot" }, 'max_tokens must be a number (got "hot")'],
  ["a boolean", Body, { ...ok, stream: "yes" }, 'stream must be true or false (got "yes")'],
  ["a list given an object", Body, { messages: {} }, "messages must be a list (got an object)"],
  ["a choice", Body, { messages: [{ role: "robot", content: "x" }] }, 'messages[0].role must be one of "user", "assistant" (got "robot")'],
  [
    "inside a union: the deepest branch",
    Body,
    { messages: [{ role: "user", content: [{ type: 5 }] }] },
    "messages[0].content[0].type must be a string (got 5)",
  ],
  [
    "a union no branch entered",
    Body,
    { messages: [{ role: "user", content: 5 }] },
    "messages[0].content must be one of a string, a list (got 5)",
  ],
  ["a maximum", Body, { ...ok, temperature: 3 }, "temperature must be at most 1 (got 3)"],
  ["a minimum length", Body, { ...ok, stop: [] }, "stop must have at least 1 item (got a list)"],
  ["not empty", Body, { ...ok, name: "" }, 'name must not be empty (got "")'],
  ["an integer", Body, { ...ok, n: 1.5 }, "n must be a whole number (got 1.5)"],
  ["an unknown key", Strict, { prot: 1 }, "unknown key prot — remove it or check the spelling"],
  ["the schema's fragment", Strict, { port: "x" }, 'port must be an integer from 1 to 65535 (got "x")'],
  ["the schema's fragment, missing", Token, {}, "access_token is required"],
  ["the schema's fragment, empty", Token, { access_token: "" }, 'access_token must be a non-empty string (got "")'],
  ["the schema's sentence", Sentence, { messages: 1 }, "messages must be an array of message objects"],
  ["the whole value", Body, "text", 'the request body must be an object (got "text")'],
])("%s", (_name, schema, input, expected) => {
  const text = first(schema, input);
  expect(text).toBe(expected);
  expect(text).not.toMatch(/Invalid (key|type|value|length)|but received/);
});

test("more than one problem says how many more", () => {
  const result = v.safeParse(Body, { max_tokens: "x", stream: 1 });
  if (result.success) throw new Error("expected a failure");
  expect(describeIssues(result.issues)).toBe('max_tokens must be a number (got "x") (and 2 more problems)');
});

test.each([
  ["hot", '"hot"'],
  [42, "42"],
  [null, "null"],
  [{}, "an object"],
  [[1], "a list"],
  ["x".repeat(100), `"${"x".repeat(56)}…`],
])("describeValue(%p)", (value, expected) => {
  expect(describeValue(value)).toBe(expected);
});
