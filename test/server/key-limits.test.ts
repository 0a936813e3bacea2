import { describe, expect, test } from "bun:test";
import { createKeyLimiter } from "../../src/server/key-limits.ts";

describe("per-key limits", () => {
  const clock = () => {
    let t = 0;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  test("requests per minute: a minute's worth at once, then refused with retry-after until they refill", () => {
    const time = clock();
    const limiter = createKeyLimiter(time.now);
    const key = { key: "k".repeat(10), name: "alice", requests_per_minute: 3 };
    for (let i = 0; i < 3; i++) expect("release" in limiter.admit(key)).toBe(true);
    const refused = limiter.admit(key);
    expect("refused" in refused && refused.refused.status).toBe(429);
    expect("refused" in refused && refused.refused.headers["retry-after"]).toBe("20");
    expect("refused" in refused && refused.refused.message).toContain('proxy key "alice" is over its limit of 3 requests per minute');
    time.advance(20_000);
    expect("release" in limiter.admit(key)).toBe(true);
    expect("refused" in limiter.admit(key)).toBe(true);
  });

  test("concurrent: refused while the limit is in flight, admitted once one is released (once)", () => {
    const limiter = createKeyLimiter(clock().now);
    const key = { key: "k".repeat(10), name: "bob", max_concurrent: 1 };
    const first = limiter.admit(key);
    expect("release" in first).toBe(true);
    const second = limiter.admit(key);
    expect("refused" in second && second.refused.headers["retry-after"]).toBe("1");
    if ("release" in first) {
      first.release();
      first.release(); // twice: still only one slot freed
    }
    expect("release" in limiter.admit(key)).toBe(true);
    expect("refused" in limiter.admit(key)).toBe(true);
  });

  test("other keys and keys without limits are not affected", () => {
    const limiter = createKeyLimiter(clock().now);
    const limited = { key: "k".repeat(10), name: "carol", requests_per_minute: 1 };
    limiter.admit(limited);
    expect("refused" in limiter.admit(limited)).toBe(true);
    expect("release" in limiter.admit({ key: "d".repeat(10), name: "dave", requests_per_minute: 1 })).toBe(true);
    for (let i = 0; i < 100; i++) expect("release" in limiter.admit({ key: "e".repeat(10), name: "erin" })).toBe(true);
  });
});

test("a limit added or changed by a config reload starts with a full bucket of the new size", () => {
  const limiter = createKeyLimiter(() => 0);
  const before = { key: "k".repeat(10), name: "frank", max_concurrent: 5 };
  const first = limiter.admit(before);
  if ("release" in first) first.release();
  const after = { ...before, requests_per_minute: 2 };
  expect("release" in limiter.admit(after)).toBe(true);
  expect("release" in limiter.admit(after)).toBe(true);
  expect("refused" in limiter.admit(after)).toBe(true);
});
