import { describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { HELP, parseBenchArgs } from "../../../scripts/bench/options.ts";

const ROOT = resolve(import.meta.dir, "../../..");

describe("bench options: files and caches only when asked", () => {
  test("no flags: write nothing, drop no cache", () => {
    expect(parseBenchArgs([])).toMatchObject({ write: false, dropCaches: false, out: undefined, report: false });
  });

  test.each([
    [["--write"], { write: true, dropCaches: false }],
    [["--drop-caches"], { write: false, dropCaches: true }],
    [["--write", "--drop-caches"], { write: true, dropCaches: true }],
    [["--out", "/tmp/x.json"], { write: false, out: "/tmp/x.json" }],
    [["--report", "--write"], { report: true, write: true }],
    [["-h"], { help: true }],
    [["--soak"], { soak: true, write: false }],
    [["--soak", "--quick"], { soak: true, quick: true }],
  ])("%p", (argv, expected) => {
    expect(parseBenchArgs(argv)).toMatchObject(expected);
  });

  test.each([
    [["--quick", "--write"], /--quick numbers .* drop --write/],
    [["--report", "--drop-caches"], /--report measures nothing/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--soak", "--write"], /--soak prints its checks and writes no file/],
  ])("%p is refused", (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });

  test("--help documents both flags", () => {
    expect(HELP).toContain("--write");
    expect(HELP).toContain("--drop-caches");
  });

  test("--report without --write prints the table and leaves the tracked files alone", () => {
    const tracked = ["BENCHMARKS.md", "bench/chart.svg", "bench/results.json"].map((path) => join(ROOT, path));
    const before = tracked.map((path) => statSync(path).mtimeMs);
    const run = Bun.spawnSync([process.execPath, join(ROOT, "scripts/bench.ts"), "--report"], { cwd: ROOT });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.toString()).toContain("proxy");
    expect(tracked.map((path) => statSync(path).mtimeMs)).toEqual(before);
  });
});
