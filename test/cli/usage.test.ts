import { expect, test } from "bun:test";
import { createColors } from "picocolors";
import { describeReset, usageSummary, windowLines } from "../../src/cli/usage.ts";
import type { PlanState } from "../../src/plan/plan.ts";

const now = Date.parse("2026-12-01T10:00:00Z");
const plain = createColors(false);
const state: PlanState = {
  account: "default",
  status: "allowed",
  representative_claim: "five_hour",
  resets_at: null,
  windows: {
    five_hour: { utilization: 0.5, resets_at: "2026-12-01T12:13:00Z" },
    seven_day: { utilization: 1, resets_at: "2026-12-04T09:00:00Z" },
  },
  extra_usage: { is_enabled: true, monthly_limit: 20, used_credits: 5, utilization: 0.25 },
  source: "headers",
  seen_at: "2026-12-01T10:00:00Z",
};

test("describeReset: a countdown, and the day when it is not today", () => {
  expect(describeReset("2026-12-01T12:13:00Z", now)).toMatch(/^resets \d\d:\d\d, in 2h 13m$/);
  expect(describeReset("2026-12-04T09:00:00Z", now)).toMatch(/^resets \w{3} \d\d:\d\d, in 2d 23h$/);
  expect(describeReset(null, now)).toBe("reset time unknown");
});

test("windowLines: a bar whose length is the utilization, the percent, the reset; extra usage when enabled", () => {
  const lines = windowLines(state, now, plain);
  expect(lines[0]).toMatch(/^5-hour\s+█{12}░{12}\s+50 %\s+resets/);
  expect(lines[1]).toMatch(/^7-day\s+█{24}\s+100 %/);
  expect(lines[2]).toMatch(/^extra usage\s+█{6}░{18}\s+25 %\s+of 20 a month$/);
});

test("usageSummary: one line, the first window with its countdown", () => {
  expect(usageSummary({ accounts: [state], from: "proxy" }, now)).toBe("5-hour 50 % (resets in 2h 13m), 7-day 100 %");
  expect(usageSummary({ accounts: [], from: "usage_api" }, now)).toBeUndefined();
});
