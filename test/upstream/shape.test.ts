import { describe, expect, test } from "bun:test";
import { CLAUDE_CODE_IDENTITY, mergeBetas, shapeBody, withIdentity } from "../../src/upstream/shape.ts";

const identity = { type: "text", text: CLAUDE_CODE_IDENTITY };

describe("withIdentity", () => {
  test.each<[string, unknown, unknown]>([
    ["absent", undefined, [identity]],
    ["empty string", "", [identity]],
    ["string", "Be brief.", [identity, { type: "text", text: "Be brief." }]],
    ["string that is the identity", CLAUDE_CODE_IDENTITY, [identity]],
    ["string starting with the identity", `${CLAUDE_CODE_IDENTITY}\nBe brief.`, [identity, { type: "text", text: "Be brief." }]],
    ["array", [{ type: "text", text: "A" }], [identity, { type: "text", text: "A" }]],
    ["array already shaped", [identity, { type: "text", text: "A" }], [identity, { type: "text", text: "A" }]],
    [
      "identity with cache_control",
      [
        { ...identity, cache_control: { type: "ephemeral" } },
        { type: "text", text: "A" },
      ],
      [identity, { type: "text", text: "A" }],
    ],
    ["identity not first", [{ type: "text", text: "A" }, identity], [identity, { type: "text", text: "A" }]],
    [
      "keeps cache_control on the user's blocks",
      [{ type: "text", text: "A", cache_control: { type: "ephemeral" } }],
      [identity, { type: "text", text: "A", cache_control: { type: "ephemeral" } }],
    ],
  ])("%s", (_name, input, expected) => {
    expect(withIdentity(input)).toEqual(expected);
  });
});

describe("mergeBetas", () => {
  test.each<[string, (string | undefined | string[])[], string]>([
    ["required only", [["oauth-2025-04-20"], undefined], "oauth-2025-04-20"],
    ["client adds one", [["oauth-2025-04-20"], "files-api-2025-04-14"], "oauth-2025-04-20,files-api-2025-04-14"],
    ["duplicates and spaces", [["oauth-2025-04-20"], " oauth-2025-04-20 , x ,,x"], "oauth-2025-04-20,x"],
    ["nothing", [undefined, ""], ""],
  ])("%s", (_name, lists, expected) => {
    expect(mergeBetas(...lists)).toBe(expected);
  });
});

describe("shapeBody", () => {
  test("OAuth: identity added, every other field untouched (the model too: routes resolve it)", () => {
    const body = {
      model: "xl",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
      metadata: { user_id: "u" },
      tool_choice: { type: "auto" },
      stop_sequences: ["x"],
      service_tier: "auto",
      thinking: { type: "disabled" },
      future_field: { a: 1 },
    };
    const shaped = shapeBody(body, { oauth: true });
    expect(shaped).toEqual({ ...body, system: [identity] });
    expect(body).not.toHaveProperty("system"); // the input is not mutated
    expect((shaped.thinking as Record<string, unknown>).budget_tokens).toBeUndefined();
  });

  test("API key: no identity block", () => {
    const shaped = shapeBody({ model: "s", system: "x", messages: [] }, { oauth: false });
    expect(shaped).toEqual({ model: "s", system: "x", messages: [] });
  });
});
