import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { historyRow, renderText, spliceHistory, spliceMarkdown } from "../../../scripts/bench/report.ts";
import { checks, type Results } from "../../../scripts/bench/results.ts";

const ROOT = resolve(import.meta.dir, "../../..");
/** The published run: whatever shape it has, the report must render it (older runs lack the CPU figures). */
const published = JSON.parse(readFileSync(join(ROOT, "bench/results.json"), "utf8")) as Results;
const run = (date: string, commit: string): Results => ({ ...published, date, commit });

const DOC = [
  "# Benchmarks",
  "<!-- bench:results -->",
  "old",
  "<!-- /bench:results -->",
  "## History",
  "<!-- bench:history -->",
  "<!-- /bench:history -->",
  "end",
].join("\n");

describe("bench report: the results block and the history", () => {
  test("a published run adds one history row with its date and commit", () => {
    const markdown = spliceMarkdown(DOC, run("2026-12-01T06:00:00.000Z", "abc1234"));
    const rows = markdown.split("\n").filter((line) => line.startsWith("| 2026-"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toStartWith("| 2026-12-01 06:00 | abc1234 |");
    expect(markdown).not.toContain("\nold\n");
    expect(markdown).toEndWith("<!-- /bench:history -->\nend");
  });

  test("re-rendering the same run (--report --write) adds no second row", () => {
    const once = spliceMarkdown(DOC, run("2026-12-01T06:00:00.000Z", "abc1234"));
    expect(spliceMarkdown(once, run("2026-12-01T06:00:00.000Z", "abc1234"))).toBe(once);
  });

  test("a later run is appended below the earlier ones, which stay as they were", () => {
    const first = spliceHistory(DOC, run("2026-12-01T06:00:00.000Z", "abc1234"));
    const second = spliceHistory(first, run("2026-12-02T07:30:00.000Z", "def5678"));
    const rows = second.split("\n").filter((line) => line.startsWith("| 2026-"));
    expect(rows).toEqual([historyRow(run("2026-12-01T06:00:00.000Z", "abc1234")), historyRow(run("2026-12-02T07:30:00.000Z", "def5678"))]);
  });

  test("a document without history markers is left without a history", () => {
    const markdown = "<!-- bench:results -->\n<!-- /bench:results -->";
    expect(spliceMarkdown(markdown, published)).not.toContain("bench:history");
  });

  test("every target has a verdict or says it was not measured, next to the bare passthrough's figure", () => {
    for (const check of checks(published)) {
      if (check.ok === undefined) expect(check.value).toBe("not measured");
      else expect(check.value).not.toBe("");
    }
    expect(renderText(published)).toContain("bare passthrough");
  });
});
