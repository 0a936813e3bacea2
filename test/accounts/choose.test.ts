import { expect, test } from "bun:test";
import { chooseAccount, earliestReturn, type Candidate } from "../../src/accounts/choose.ts";
import { conversationKey } from "../../src/accounts/conversation.ts";
import { extraUsageUntil } from "../../src/accounts/pool.ts";
import type { PlanState } from "../../src/plan/plan.ts";

const NOW = 1_000_000;
const login = (name: string, utilization: number | null, extra: Partial<Candidate> = {}): Candidate => ({
  name,
  kind: "oauth",
  utilization,
  ...extra,
});
const key = (name: string, extra: Partial<Candidate> = {}): Candidate => ({ name, kind: "api_key", utilization: null, ...extra });

test.each<[string, Candidate[], { order?: string[]; sticky?: string; exclude?: string[]; model?: string }, string | undefined]>([
  ["one account", [login("default", 0.9)], {}, "default"],
  ["most headroom", [login("default", 0.6), login("a", 0.2), login("b", 0.4)], {}, "a"],
  ["unknown counts as unused", [login("default", 0.6), login("a", null)], {}, "a"],
  ["equal headroom keeps the listing order", [login("default", 0.3), login("a", 0.3)], {}, "default"],
  ["the conversation's account while it can serve", [login("default", 0.6), login("a", 0.2)], { sticky: "default" }, "default"],
  [
    "a cooling conversation account is left",
    [login("default", 0.6, { coolingUntil: NOW + 1 }), login("a", 0.2), login("b", 0.1)],
    { sticky: "default" },
    "b",
  ],
  [
    "a conversation on an API key goes back to a Claude login that can serve",
    [key("paid"), login("default", 0.9)],
    { sticky: "paid" },
    "default",
  ],
  ["…but stays on the key while no login can", [key("paid"), login("default", 0.9, { coolingUntil: NOW + 5 })], { sticky: "paid" }, "paid"],
  ["…or when accounts.order prefers the key", [key("paid"), login("default", 0.1)], { sticky: "paid", order: ["paid"] }, "paid"],
  ["cooling ended", [login("default", 0.1, { coolingUntil: NOW }), login("a", 0.2)], {}, "default"],
  ["a dead login is skipped", [login("default", 0.1, { unusable: true }), login("a", 0.9)], {}, "a"],
  ["API keys only when no login can serve", [key("a-key"), login("z", 0.95)], {}, "z"],
  ["an API key when every login cools", [key("a-key"), login("z", 0.1, { coolingUntil: NOW + 5 })], {}, "a-key"],
  ["accounts.order first", [login("default", 0.1), key("paid"), login("b", 0.0)], { order: ["paid", "default"] }, "paid"],
  [
    "accounts.order skips one that cannot serve",
    [login("default", 0.1), login("b", 0.0, { coolingUntil: NOW + 9 })],
    { order: ["b", "default"] },
    "default",
  ],
  [
    "a model's own window cools that model only",
    [login("default", 0.1, { coolingUntil: NOW + 9, coolingFor: "opus" }), login("a", 0.5)],
    { model: "claude-sonnet-5-5" },
    "default",
  ],
  [
    "…and the model it holds for goes elsewhere",
    [login("default", 0.1, { coolingUntil: NOW + 9, coolingFor: "opus" }), login("a", 0.5)],
    { model: "claude-opus-5-5" },
    "a",
  ],
  ["tried accounts are excluded", [login("default", 0.1), login("a", 0.5)], { exclude: ["default"] }, "a"],
  ["none can serve", [login("default", 0.1, { unusable: true }), login("a", 0.5, { coolingUntil: NOW + 1 })], {}, undefined],
])("%s", (_name, candidates, options, expected) => {
  const chosen = chooseAccount(candidates, {
    order: options.order ?? [],
    now: NOW,
    sticky: options.sticky,
    model: options.model,
    exclude: new Set(options.exclude ?? []),
  });
  expect(chosen?.name).toBe(expected as string);
});

test("the earliest return ignores dead logins and accounts not cooling", () => {
  const candidates = [
    login("a", 0, { coolingUntil: NOW + 500 }),
    login("b", 0, { coolingUntil: NOW + 200, unusable: true }),
    login("c", 0, { coolingUntil: NOW + 300 }),
    login("d", 0),
  ];
  expect(earliestReturn(candidates, NOW)).toBe(NOW + 300);
  expect(earliestReturn([login("d", 0)], NOW)).toBeUndefined();
});

test.each<[string, Record<string, string>, Record<string, unknown> | undefined, string | RegExp | undefined]>([
  ["Claude Code's session header", { "x-claude-code-session-id": "abc" }, { messages: [] }, "session:abc"],
  ["metadata.user_id", {}, { metadata: { user_id: "u1" }, messages: [{ role: "user", content: "hi" }] }, "user:u1"],
  ["the start of the conversation", {}, { system: "s", messages: [{ role: "user", content: "hi" }] }, /^start:/],
  ["no messages: no conversation", {}, { foo: 1 }, undefined],
  ["no body (GET)", {}, undefined, undefined],
])("conversation key: %s", (_name, headers, body, expected) => {
  const found = conversationKey(new Headers(headers), body);
  if (expected instanceof RegExp) expect(found).toMatch(expected);
  else expect(found).toBe(expected as string);
});

test("a conversation keeps its key as it grows, and another conversation has another", () => {
  const start = { role: "user", content: "plan a trip" };
  const first = conversationKey(new Headers(), { system: "be brief", messages: [start] });
  const later = conversationKey(new Headers(), {
    system: "be brief",
    messages: [start, { role: "assistant", content: "where?" }, { role: "user", content: "Rome" }],
  });
  const other = conversationKey(new Headers(), { system: "be brief", messages: [{ role: "user", content: "write a poem" }] });
  expect(later).toBe(first as string);
  expect(other).not.toBe(first as string);
});

const plan = (fields: Partial<PlanState>): PlanState => ({
  account: "a",
  status: "allowed",
  representative_claim: "five_hour",
  resets_at: null,
  windows: {},
  source: "headers",
  seen_at: new Date(NOW).toISOString(),
  ...fields,
});
const iso = (ms: number) => new Date(ms).toISOString();

test.each<[string, PlanState | undefined, number | undefined]>([
  ["nothing known", undefined, undefined],
  ["within the plan", plan({ windows: { five_hour: { utilization: 0.5, resets_at: iso(NOW + 9000) } } }), undefined],
  [
    "the plan refuses and extra usage pays: until the plan resets",
    plan({ status: "rejected", resets_at: iso(NOW + 9000), overage: { status: "allowed", resets_at: null } }),
    NOW + 9000,
  ],
  [
    "extra usage close to its own limit still pays",
    plan({ status: "rejected", resets_at: iso(NOW + 7000), overage: { status: "allowed_warning", resets_at: null } }),
    NOW + 7000,
  ],
  [
    "the plan refuses and extra usage too: a plan limit, not extra usage",
    plan({ status: "rejected", overage: { status: "rejected", resets_at: null } }),
    undefined,
  ],
  [
    "a full window while the plan allows is no extra usage",
    plan({ windows: { five_hour: { utilization: 1, resets_at: iso(NOW + 9000) } } }),
    undefined,
  ],
])("extra usage: %s", (_name, state, expected) => {
  expect(extraUsageUntil(state, NOW)).toBe(expected as number);
});
