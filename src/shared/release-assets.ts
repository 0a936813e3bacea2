/**
 * The published builds and their asset names: one table for scripts/build.ts (which makes them), `maximize update`
 * (which picks the one for this machine) and, in words, scripts/install.sh's detect_asset (kept in step by
 * test/shared/release-assets.test.ts).
 */

export interface Target {
  os: "linux" | "darwin" | "windows";
  arch: "x64" | "arm64";
  /** Linux only: a musl build (Alpine); glibc otherwise. */
  abi?: "musl";
  /** x64 only: runs on CPUs without AVX2 (pre-Haswell). */
  baseline?: true;
}

/** Every published build. Asset names and Bun compile targets are both derived from these entries. */
export const TARGETS: readonly Target[] = [
  { os: "linux", arch: "x64" },
  { os: "linux", arch: "x64", baseline: true },
  { os: "linux", arch: "arm64" },
  { os: "linux", arch: "x64", abi: "musl" },
  { os: "linux", arch: "arm64", abi: "musl" },
  { os: "darwin", arch: "arm64" },
  { os: "darwin", arch: "x64" },
  { os: "windows", arch: "x64" },
];

/** `linux-x64-baseline`, `linux-arm64-musl`, `darwin-arm64`, … (what `--target` accepts). */
export const targetName = (target: Target): string =>
  [target.os, target.arch, target.baseline ? "baseline" : "", target.abi ?? ""].filter(Boolean).join("-");

/** `maximize-linux-x64-baseline`: the archive's base name. */
export const assetName = (target: Target): string => `maximize-${targetName(target)}`;

export const binaryName = (target: Target): string => (target.os === "windows" ? "maximize.exe" : "maximize");

export const archiveName = (target: Target): string => `${assetName(target)}${target.os === "windows" ? ".zip" : ".tar.gz"}`;

/** What decides which build runs here (gathered by the caller, so this stays pure). */
export interface Machine {
  platform: string;
  arch: string;
  /** Linux: the C library is musl (Alpine). */
  musl: boolean;
  /** x64: the CPU has AVX2. */
  avx2: boolean;
}

/**
 * The build for `machine`, by the same rules as scripts/install.sh's detect_asset: musl before baseline (there is no
 * baseline musl build), baseline for an x64 glibc CPU without AVX2. Undefined when there is no build for it.
 */
export function targetFor(machine: Machine): Target | undefined {
  const arch = machine.arch === "x64" || machine.arch === "arm64" ? machine.arch : undefined;
  if (arch === undefined) return undefined;
  if (machine.platform === "darwin") return { os: "darwin", arch };
  if (machine.platform === "win32") return arch === "x64" ? { os: "windows", arch } : undefined;
  if (machine.platform !== "linux") return undefined;
  if (machine.musl) return { os: "linux", arch, abi: "musl" };
  if (arch === "x64" && !machine.avx2) return { os: "linux", arch, baseline: true };
  return { os: "linux", arch };
}
