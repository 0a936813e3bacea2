import { expect, test } from "bun:test";
import { fraction, planFromHeaders, planFromUsage } from "../../src/plan/plan.ts";
import { createPlanTracker } from "../../src/plan/tracker.ts";

const headers = (windows: Record<string, number>, extra: Record<string, string> = {}) =>
  new Headers({
    "anthropic-ratelimit-unified-status": "allowed",
    "anthropic-ratelimit-unified-representative-claim": "five_hour",
    "anthropic-ratelimit-unified-reset": "1800000000",
    ...Object.fromEntries(
      Object.entries(windows).flatMap(([name, value]) => [
        [`anthropic-ratelimit-unified-${name}-utilization`, String(value)],
        [`anthropic-ratelimit-unified-${name}-reset`, "1800000000"],
      ]),
    ),
    ...extra,
  });

test("planFromHeaders: window names as the usage endpoint spells them, resets as ISO 8601", () => {
  const state = planFromHeaders(headers({ "5h": 0.4, "7d": 0.1, "7d_opus": 0.05, something_new: 0.2 }), "default", 0)!;
  expect(Object.keys(state.windows)).toEqual(["five_hour", "seven_day", "seven_day_opus", "something_new"]);
  expect(state.windows.five_hour).toEqual({ utilization: 0.4, resets_at: new Date(1_800_000_000_000).toISOString() });
  expect(state).toMatchObject({ status: "allowed", representative_claim: "five_hour", source: "headers" });
  expect(planFromHeaders(new Headers(), "default", 0)).toBeUndefined(); // an API key's answers carry none
});

test.each([
  [42, 0.42],
  [0.42, 0.42],
  [1, 1],
  [100, 1],
])("the usage endpoint's %p reads as %p", (value, expected) => {
  expect(fraction(value)).toBe(expected);
});

test("planFromUsage: null windows skipped, extra usage kept", () => {
  const state = planFromUsage(
    {
      five_hour: { utilization: 12, resets_at: "2026-12-01T12:00:00Z" },
      seven_day_opus: null,
      extra_usage: { is_enabled: false, monthly_limit: null, used_credits: null, utilization: null },
    },
    "default",
    0,
  );
  expect(state.windows).toEqual({ five_hour: { utilization: 0.12, resets_at: "2026-12-01T12:00:00Z" } });
  expect(state.extra_usage).toEqual({ is_enabled: false, monthly_limit: null, used_credits: null, utilization: null });
});

test("the tracker warns once per threshold crossed, and on allowed_warning", () => {
  const lines: string[] = [];
  const tracker = createPlanTracker({ log: { info: () => {}, warn: (line) => lines.push(line) } });
  tracker.observe(headers({ "5h": 0.5 }), 200);
  tracker.observe(headers({ "5h": 0.76 }), 200);
  tracker.observe(headers({ "5h": 0.8 }), 200);
  tracker.observe(headers({ "5h": 0.99 }), 200);
  tracker.observe(headers({ "5h": 0.99 }, { "anthropic-ratelimit-unified-status": "allowed_warning" }), 200);
  expect(lines).toEqual([
    expect.stringContaining("the 5-hour limit is 76 % used"),
    expect.stringContaining("the 5-hour limit is 99 % used"),
    expect.stringContaining("the 5-hour limit is close"),
  ]);
  expect(tracker.states()).toHaveLength(1);
});
