#!/usr/bin/env bun
// Compiles maximize into standalone executables.
//
//   bun scripts/build.ts --single              host binary → dist/maximize
//   bun scripts/build.ts --single --target T   one target's bare binary (no archive) → --out FILE (Dockerfile)
//   bun scripts/build.ts --target linux-arm64  one target  → dist/release/ (archive + SHA256SUMS)
//   bun scripts/build.ts                       every target → dist/release/ (archives + SHA256SUMS)
//
// `--out DIR` changes the output directory (dist/release by default, or the file for --single).
import { $ } from "bun";
import { mkdir, readdir, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { inspectBinary } from "./inspect.ts";

// The targets and their asset names live in src/shared/release-assets.ts: `maximize update` picks its own from there.
import { TARGETS, type Target, archiveName, assetName, binaryName, targetName } from "../src/shared/release-assets.ts";

export { TARGETS, type Target, archiveName, assetName, binaryName, targetName };

const ROOT = resolve(import.meta.dir, "..");
const ENTRY = join(ROOT, "src", "index.ts");
export const VERSION: string = pkg.version;

const bunTarget = (target: Target): Bun.Build.CompileTarget =>
  `bun-${target.os}-${target.arch}${target.baseline ? "-baseline" : ""}${target.abi ? `-${target.abi}` : ""}` as Bun.Build.CompileTarget;

/** Compiles src/index.ts to `outfile` (for `target`, or for this machine when omitted). */
export async function compile(outfile: string, target?: Target, version: string = VERSION): Promise<void> {
  await mkdir(dirname(outfile), { recursive: true });
  const result = await Bun.build({
    entrypoints: [ENTRY],
    target: "bun",
    format: "esm",
    minify: true,
    bytecode: true,
    // Code behind a dynamic import() (the menu, the login wizard and their prompt library, node:http for
    // overflow) stays in the executable but is loaded only when used: `serve` idles ~2 MB smaller.
    splitting: true,
    define: {
      MAXIMIZE_VERSION: JSON.stringify(version),
      // `maximize update` downloads from the repository that built it (as release.yml rewrites install.sh's base).
      ...(process.env.GITHUB_REPOSITORY
        ? { MAXIMIZE_RELEASES_URL: JSON.stringify(`https://github.com/${process.env.GITHUB_REPOSITORY}/releases`) }
        : {}),
    },
    compile: {
      outfile,
      // A user's stray .env or bunfig.toml in their working directory must not change the proxy.
      autoloadDotenv: false,
      autoloadBunfig: false,
      ...(target ? { target: bunTarget(target) } : {}),
    },
  });
  if (!result.success) throw new AggregateError(result.logs, `compile failed for ${target ? targetName(target) : "host"}`);
}

/** Throws unless the executable's header matches the target's OS, architecture and libc. */
export async function verifyBinary(path: string, target: Target): Promise<void> {
  const info = inspectBinary(await Bun.file(path).bytes());
  const format = { linux: "elf", darwin: "macho", windows: "pe" }[target.os];
  const libc = target.os === "linux" ? (target.abi ?? "glibc") : undefined;
  const ok = info.format === format && info.arch === target.arch && info.libc === libc;
  if (!ok) throw new Error(`${path} is ${JSON.stringify(info)}, expected ${format} ${target.arch} ${libc ?? ""}`);
}

/** Packs the executable alone (no folder) into `<outDir>/<archiveName>`; returns the archive path. */
export async function archive(binary: string, target: Target, outDir: string): Promise<string> {
  const out = join(resolve(outDir), archiveName(target));
  await rm(out, { force: true });
  if (target.os === "windows") {
    await $`zip -q -j -X ${out} ${binary}`;
    return out;
  }
  const tar = await $`tar -C ${dirname(binary)} --owner=0 --group=0 --numeric-owner -cf - ${basename(binary)}`.arrayBuffer();
  await Bun.write(out, Bun.gzipSync(new Uint8Array(tar), { level: 9 }));
  return out;
}

export async function sha256(path: string): Promise<string> {
  return new Bun.CryptoHasher("sha256").update(await Bun.file(path).arrayBuffer()).digest("hex");
}

/** Writes `<dir>/SHA256SUMS` for every archive in `dir`, bare file names, `sha256sum -c` format. */
export async function writeChecksums(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((name) => /^maximize-.+\.(tar\.gz|zip)$/.test(name)).sort();
  const lines = await Promise.all(names.map(async (name) => `${await sha256(join(dir, name))}  ${name}\n`));
  const path = join(dir, "SHA256SUMS");
  await Bun.write(path, lines.join(""));
  return path;
}

/** Compiles, checks and archives one target into `outDir`; the raw binary stays in `<outDir>/<asset>/`. */
export async function buildTarget(target: Target, outDir: string): Promise<string> {
  const binary = join(outDir, assetName(target), binaryName(target));
  await compile(binary, target);
  await verifyBinary(binary, target);
  const out = await archive(binary, target, outDir);
  log(`${archiveName(target)}  ${(Bun.file(out).size / 1e6).toFixed(1)} MB`);
  return out;
}

export function findTarget(name: string): Target {
  const target = TARGETS.find((candidate) => targetName(candidate) === name);
  if (target) return target;
  throw new Error(`unknown target "${name}"; known: ${TARGETS.map(targetName).join(", ")}`);
}

const log = (line: string): void => void process.stderr.write(`build: ${line}\n`);

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { single: { type: "boolean" }, target: { type: "string", multiple: true }, out: { type: "string" } },
    strict: true,
  });
  if (values.single) {
    if ((values.target?.length ?? 0) > 1) throw new Error("--single takes at most one --target");
    const target = values.target?.[0] === undefined ? undefined : findTarget(values.target[0]);
    const outfile = resolve(values.out ?? join(ROOT, "dist", "maximize"));
    await compile(outfile, target);
    if (target) await verifyBinary(outfile, target);
    log(`${outfile} (${VERSION}, ${target ? targetName(target) : "host"})`);
    return;
  }
  const outDir = resolve(values.out ?? join(ROOT, "dist", "release"));
  const targets = values.target ? values.target.map(findTarget) : TARGETS;
  if (!values.target) await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  for (const target of targets) await buildTarget(target, outDir);
  log(`${await writeChecksums(outDir)} (${VERSION})`);
}

function explain(error: unknown): string {
  if (error instanceof AggregateError) return [error.message, ...error.errors.map(String)].join("\n  ");
  return error instanceof Error ? error.message : String(error);
}

if (import.meta.main) {
  await main(process.argv.slice(2)).catch((error: unknown) => {
    log(`error: ${explain(error)}`);
    process.exit(1);
  });
}
