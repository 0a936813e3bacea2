import { describe, expect, test } from "bun:test";
import { createModelCatalogue, type CatalogueOptions } from "../../src/models/catalogue.ts";
import { FALLBACK_MODELS } from "../../src/models/fallback.ts";
import type { ModelInfo } from "../../src/models/info.ts";
import { eventually } from "../support/eventually.ts";

const efforts = (...levels: string[]) => ({ supported: true, ...Object.fromEntries(levels.map((level) => [level, { supported: true }])) });
const model = (id: string, line: string, created: string, extra: Partial<ModelInfo> = {}): ModelInfo => ({
  type: "model",
  id,
  line,
  lifecycle: "active",
  created_at: `${created}T00:00:00Z`,
  capabilities: { effort: efforts("low", "medium", "high", "xhigh", "max") },
  ...extra,
});

const LIVE: ModelInfo[] = [
  model("claude-haiku-9", "haiku", "2027-03-01", { capabilities: { effort: efforts("low", "high") } }),
  model("claude-sonnet-9", "sonnet", "2027-02-01"),
  model("claude-sonnet-8", "sonnet", "2027-01-01"),
  model("claude-opus-9", "opus", "2027-02-02"),
  model("claude-opus-10-preview", "opus", "2027-04-01", { lifecycle: "deprecated" }),
];

/** A catalogue whose upstream is a list the test controls (one page per `pageSize` models). */
function catalogue(list: () => ModelInfo[] | Error, options: Partial<CatalogueOptions> = {}) {
  const calls: string[] = [];
  const logs: string[] = [];
  const fetchPage = async (query: string) => {
    calls.push(query);
    const models = list();
    if (models instanceof Error)
      return Response.json({ type: "error", error: { type: "api_error", message: models.message } }, { status: 500 });
    const after = new URLSearchParams(query).get("after_id");
    const start = after ? models.findIndex((m) => m.id === after) + 1 : 0;
    const data = models.slice(start, start + 2);
    return Response.json({ data, has_more: start + 2 < models.length, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  };
  const made = createModelCatalogue({
    fetchPage,
    nicknames: {},
    defaultModel: "l",
    refreshIntervalMs: 3_600_000,
    log: { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`) },
    ...options,
  });
  return { catalogue: made, calls, logs };
}

describe("resolving nicknames against the live catalogue", () => {
  test.each([
    ["xs", "claude-haiku-9", "low"],
    ["s", "claude-sonnet-9", "low"],
    ["m", "claude-sonnet-9", "medium"],
    ["l", "claude-sonnet-9", undefined],
    ["xl", "claude-opus-9", undefined],
    ["xxl", "claude-opus-9", "max"],
  ])("%s → %s (effort %s): the newest active model of the line, every page read", async (nickname, expected, effort) => {
    const { catalogue: c, calls } = catalogue(() => LIVE);
    const resolved = await c.resolve(nickname);
    expect(resolved).toMatchObject({ model: expected, nickname, source: "live" });
    expect(resolved.effort).toBe(effort as never);
    expect(calls.length).toBe(3); // 5 models, 2 per page
  });

  test("a model named exactly passes through; no model means the default nickname", async () => {
    const { catalogue: c } = catalogue(() => LIVE);
    expect(await c.resolve("claude-opus-4-8")).toMatchObject({ model: "claude-opus-4-8", source: "exact" });
    expect(await c.resolve(undefined)).toMatchObject({ requested: "", model: "claude-sonnet-9", nickname: "l" });
    expect(await c.resolve("constructor")).toMatchObject({ model: "constructor", source: "exact" });
  });

  test("config pins a model, a line or an effort; effort is fitted to what the model lists", async () => {
    const { catalogue: c } = catalogue(() => LIVE, {
      nicknames: {
        l: "claude-sonnet-8",
        xs: { effort: "xhigh" },
        big: { line: "opus", effort: "highest" },
        pinned: { model: "claude-unlisted", effort: "low" },
      },
    });
    expect(await c.resolve("l")).toMatchObject({ model: "claude-sonnet-8", source: "config" });
    // A model the catalogue does not list: the configured effort as given, never silently dropped.
    expect(await c.resolve("pinned")).toMatchObject({ model: "claude-unlisted", effort: "low", source: "config" });
    expect(await c.resolve("xs")).toMatchObject({ model: "claude-haiku-9", effort: "high" });
    expect(await c.resolve("big")).toMatchObject({ model: "claude-opus-9", effort: "max" });
  });
});

describe("when the catalogue cannot be fetched", () => {
  test("the built-in table answers, and the log says so once", async () => {
    const { catalogue: c, logs } = catalogue(() => new Error("boom"));
    const resolved = await c.resolve("l");
    expect(resolved).toMatchObject({ model: FALLBACK_MODELS.find((m) => m.line === "sonnet")?.id, source: "fallback" });
    await c.resolve("xs");
    expect(logs.filter((line) => line.startsWith("warn")).length).toBe(1);
    expect(logs[0]).toContain("built-in table");
    expect(c.snapshot()).toMatchObject({ source: "fallback", error: expect.stringContaining("boom") });
  });

  test("a later successful fetch replaces it", async () => {
    let now = 0;
    let list: ModelInfo[] | Error = new Error("down");
    const { catalogue: c } = catalogue(() => list, { now: () => now, retryAfterMs: 1000 });
    expect((await c.resolve("l")).source).toBe("fallback");
    list = LIVE;
    now = 500;
    expect((await c.resolve("l")).source).toBe("fallback"); // not yet time to retry
    now = 1500;
    await c.resolve("l"); // time to retry: fetched behind this request
    await eventually(async () => expect(await c.resolve("l")).toMatchObject({ model: "claude-sonnet-9", source: "live" }));
  });

  test("only the first request waits for a slow start-up fetch, and only firstWaitMs", async () => {
    let answer: (response: Response) => void = () => {};
    const c = createModelCatalogue({
      fetchPage: () => new Promise<Response>((resolve) => (answer = resolve)),
      nicknames: {},
      defaultModel: "l",
      refreshIntervalMs: 3_600_000,
      firstWaitMs: 50,
    });
    const [a, b] = await Promise.all([c.resolve("l"), c.resolve("xs")]);
    expect([a.source, b.source]).toEqual(["fallback", "fallback"]);
    // No second wait: answered before any timer could fire.
    let answered = false;
    void c.resolve("m").then(() => (answered = true));
    await Bun.sleep(0);
    expect(answered).toBe(true);
    answer(Response.json({ data: LIVE, has_more: false }));
    await eventually(async () => expect((await c.resolve("l")).model).toBe("claude-sonnet-9"));
  });
});

test("a release is picked up after refresh_interval, without blocking requests", async () => {
  let now = 0;
  const list = [...LIVE];
  const { catalogue: c, logs } = catalogue(() => list, { now: () => now, refreshIntervalMs: 10_000 });
  expect((await c.resolve("l")).model).toBe("claude-sonnet-9");
  list.push(model("claude-sonnet-10", "sonnet", "2027-05-01"));
  now = 5_000;
  expect((await c.resolve("l")).model).toBe("claude-sonnet-9"); // fresh enough: no fetch
  now = 11_000;
  expect((await c.resolve("l")).model).toBe("claude-sonnet-9"); // stale: answered now, refreshed behind
  await c.refresh();
  expect((await c.resolve("l")).model).toBe("claude-sonnet-10");
  expect(logs.at(-1)).toContain("l→claude-sonnet-10");
});

test("a 404 forces one fetch that starts after it, at most once per staleRefreshMs", async () => {
  let now = 0;
  const { catalogue: c, calls } = catalogue(() => LIVE.slice(0, 2), { now: () => now, staleRefreshMs: 30_000 });
  await c.refresh();
  expect(calls.length).toBe(1);
  expect(await c.refreshAfterNotFound()).toBe(true);
  expect(calls.length).toBe(2);
  now = 10_000;
  expect(await c.refreshAfterNotFound()).toBe(false);
  expect(calls.length).toBe(2);
  now = 31_000;
  expect(await c.refreshAfterNotFound()).toBe(true);
  expect(calls.length).toBe(3);
});

test("a line with only deprecated models in the live list uses the newest of them, not the built-in table", async () => {
  const { catalogue: c } = catalogue(() => [model("claude-haiku-6", "haiku", "2027-01-01", { lifecycle: "deprecated" })]);
  expect(await c.resolve("xs")).toMatchObject({ model: "claude-haiku-6", source: "live" });
});

test("concurrent first requests share one fetch", async () => {
  const { catalogue: c, calls } = catalogue(() => LIVE.slice(0, 2));
  await Promise.all(Array.from({ length: 10 }, () => c.resolve("l")));
  expect(calls.length).toBe(1);
});

test("snapshot rows say where each nickname came from", async () => {
  const { catalogue: c } = catalogue(() => LIVE.filter((m) => m.line !== "haiku"), { nicknames: { xl: "claude-opus-4-8" } });
  await c.refresh();
  const rows = Object.fromEntries(c.snapshot().nicknames.map((row) => [row.nickname, row]));
  expect(rows.l).toMatchObject({ model: "claude-sonnet-9", source: "live", definition: "line sonnet" });
  expect(rows.xl).toMatchObject({ model: "claude-opus-4-8", source: "config", definition: "model claude-opus-4-8" });
  // No Haiku in the live list: the built-in table's newest Haiku, marked as such.
  expect(rows.xs).toMatchObject({ source: "fallback", effort: "low" });
});
