import { describe, expect, test } from "bun:test";
import { keepLoginAlive, type KeepAliveTimers } from "../../src/auth/keep-alive.ts";
import type { AuthStatus, Credentials } from "../../src/auth/tokens.ts";
import { AuthError } from "../../src/shared/errors.ts";
import { createLogger } from "../../src/shared/log.ts";

// The keep-alive's schedule, with a hand-driven timer and credentials whose answers the test sets: how long it
// waits, and how often it refreshes. (test/auth/keep-alive.e2e.test.ts proves the same against the fake upstream.)

function world(initial: Partial<AuthStatus>) {
  let status: AuthStatus = {
    logged_in: true,
    method: "oauth",
    token_file: "/t",
    expires_at: null,
    expires_in_seconds: 3600,
    refreshable: true,
    account: null,
    ...initial,
  };
  let refreshes = 0;
  let onRefresh: () => void = () => {};
  const credentials: Credentials = {
    get: () => Promise.reject(new Error("not used")),
    renew: () => Promise.resolve(undefined),
    refresh: async () => {
      refreshes += 1;
      onRefresh();
      return { access_token: "a" };
    },
    status: () => status,
  };
  const waits: number[] = [];
  let next: (() => void) | undefined;
  const timers: KeepAliveTimers = {
    setTimeout: (run, ms) => {
      waits.push(ms);
      next = run;
      return {};
    },
    clearTimeout: () => {
      next = undefined;
    },
  };
  const lines: string[] = [];
  const keepAlive = keepLoginAlive(credentials, createLogger({ level: "info", write: (line) => lines.push(line) }), timers);
  return {
    keepAlive,
    waits,
    lines,
    refreshes: () => refreshes,
    setStatus: (update: Partial<AuthStatus>) => {
      status = { ...status, ...update };
    },
    whenRefreshing: (run: () => void) => {
      onRefresh = run;
    },
    /** Runs the pending timer and lets its promise chain settle. */
    fire: async () => {
      const run = next;
      next = undefined;
      run?.();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

describe("keep-alive schedule", () => {
  test("waits until one second into the refresh window, then refreshes once and waits for the next", async () => {
    const w = world({ expires_in_seconds: 3600 });
    await w.fire(); // the first look, deferred past start-up
    expect(w.waits).toEqual([0, (3600 - 300 + 1) * 1000]);
    w.setStatus({ expires_in_seconds: 299 });
    w.whenRefreshing(() => w.setStatus({ expires_in_seconds: 8 * 3600 }));
    await w.fire();
    expect(w.refreshes()).toBe(1);
    expect(w.waits.at(-1)).toBe(3_600_000); // capped at an hour between looks
  });

  test("a token that lives shorter than the refresh lead: refreshed at most once a minute, not in a loop", async () => {
    const w = world({ expires_in_seconds: 240 });
    w.whenRefreshing(() => w.setStatus({ expires_in_seconds: 240 }));
    for (let i = 0; i < 3; i++) await w.fire();
    expect(w.refreshes()).toBe(3);
    expect(w.waits).toEqual([0, 60_000, 60_000, 60_000]);
  });

  test("the token endpoint down: waits 30 s, then 60, 120 … never less", async () => {
    const w = world({ expires_in_seconds: 100 });
    w.whenRefreshing(() => {
      throw new AuthError("refresh_unavailable", "could not refresh: 503");
    });
    for (let i = 0; i < 4; i++) await w.fire();
    expect(w.waits).toEqual([0, 30_000, 60_000, 120_000, 240_000]);
  });

  test("a dead login: said once, looked at again every minute, never refreshed", async () => {
    const w = world({ logged_in: false, error: "login expired or revoked — run `maximize login`" });
    for (let i = 0; i < 3; i++) await w.fire();
    expect(w.refreshes()).toBe(0);
    expect(w.lines.filter((line) => line.includes("login expired or revoked"))).toHaveLength(1);
    expect(w.waits).toEqual([0, 60_000, 60_000, 60_000]);
  });

  test("an API key: nothing to keep alive; stop() cancels the pending look", async () => {
    const w = world({ method: "api_key" });
    await w.fire();
    expect(w.waits).toEqual([0]);
    const other = world({});
    other.keepAlive.stop();
    await other.fire();
    expect(other.waits).toEqual([0]);
  });
});
