import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Machine, TARGETS, archiveName, assetName, targetFor } from "../../src/shared/release-assets.ts";

const machine = (overrides: Partial<Machine>): Machine => ({ platform: "linux", arch: "x64", musl: false, avx2: true, ...overrides });

describe("targetFor: the build for this machine, by install.sh's rules", () => {
  test.each([
    [{}, "maximize-linux-x64.tar.gz"],
    [{ avx2: false }, "maximize-linux-x64-baseline.tar.gz"],
    [{ musl: true }, "maximize-linux-x64-musl.tar.gz"],
    [{ musl: true, avx2: false }, "maximize-linux-x64-musl.tar.gz"], // no baseline musl build
    [{ arch: "arm64", avx2: false }, "maximize-linux-arm64.tar.gz"],
    [{ arch: "arm64", musl: true }, "maximize-linux-arm64-musl.tar.gz"],
    [{ platform: "darwin", arch: "arm64" }, "maximize-darwin-arm64.tar.gz"],
    [{ platform: "darwin", avx2: false }, "maximize-darwin-x64.tar.gz"],
    [{ platform: "win32" }, "maximize-windows-x64.zip"],
  ] as const)("%o → %s", (overrides, expected) => {
    const target = targetFor(machine(overrides));
    expect(target && archiveName(target)).toBe(expected);
    expect(TARGETS.map(archiveName)).toContain(expected);
  });

  test.each([{ arch: "ia32" }, { platform: "freebsd" }, { platform: "win32", arch: "arm64" }])("%o has no build", (overrides) => {
    expect(targetFor(machine(overrides))).toBeUndefined();
  });
});

test("every asset scripts/install.sh can pick is a published target", () => {
  const script = readFileSync(join(import.meta.dir, "..", "..", "scripts", "install.sh"), "utf8");
  const picked = [...script.matchAll(/say "(maximize-[a-z0-9$-]+)"/g)].flatMap((match) =>
    ["x64", "arm64"].map((arch) => (match[1] ?? "").replace("$arch", arch)),
  );
  expect(picked.length).toBeGreaterThan(4);
  const published = TARGETS.map(assetName);
  // arm64 has no baseline build; install.sh only names baseline for x64.
  for (const name of picked.filter((name) => !name.includes("arm64-baseline"))) expect(published).toContain(name);
});
