import { describe, expect, test } from "bun:test";
import { DEFAULT_NICKNAMES } from "../../src/config/defaults.ts";
import { CLAUDE_CODE_IDENTITY, mergeBetas, resolveModel, shapeBody, withIdentity } from "../../src/proxy/shape.ts";

const identity = { type: "text", text: CLAUDE_CODE_IDENTITY };

describe("resolveModel", () => {
  test.each([
    ["xs", "claude-3-5-haiku-20241022"],
    ["s", "claude-3-5-sonnet-20241022"],
    ["m", "claude-3-7-sonnet-20250219"],
    ["l", "claude-sonnet-4-20250514"],
    ["xl", "claude-opus-4-20250514"],
    ["xxl", "claude-opus-4-1-20250805"],
    ["claude-opus-4-5-20251101", "claude-opus-4-5-20251101"],
    ["some-future-model", "some-future-model"],
    ["constructor", "constructor"],
    ["toString", "toString"],
  ])("%s → %s", (name, expected) => {
    expect(resolveModel(name, DEFAULT_NICKNAMES, "l")).toBe(expected);
  });

  test("absent model uses the default nickname", () => {
    expect(resolveModel(undefined, DEFAULT_NICKNAMES, "xl")).toBe("claude-opus-4-20250514");
    expect(resolveModel("", DEFAULT_NICKNAMES, "claude-x")).toBe("claude-x");
  });
});

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
      [{ ...identity, cache_control: { type: "ephemeral" } }, { type: "text", text: "A" }],
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
  const options = { nicknames: DEFAULT_NICKNAMES, defaultModel: "l" };
  test("OAuth: identity added, nickname resolved, every other field untouched", () => {
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
    const shaped = shapeBody(body, { ...options, oauth: true });
    expect(shaped).toEqual({ ...body, model: "claude-opus-4-20250514", system: [identity] });
    expect(body.model).toBe("xl"); // the input is not mutated
    expect((shaped.thinking as Record<string, unknown>).budget_tokens).toBeUndefined();
  });

  test("API key: no identity block", () => {
    const shaped = shapeBody({ model: "s", system: "x", messages: [] }, { ...options, oauth: false });
    expect(shaped).toEqual({ model: "claude-3-5-sonnet-20241022", system: "x", messages: [] });
  });
});
