import { accessSync, constants, copyFileSync, existsSync, linkSync, readFileSync, realpathSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";
import { plainReason, whoAmI, writeNewFileSynced } from "../shared/files.ts";
import type { Fetch } from "../shared/http.ts";
import type { Logger } from "../shared/log.ts";
import { type Machine, archiveName, binaryName, targetFor } from "../shared/release-assets.ts";
import {
  DEFAULT_DOWNLOAD_BASE,
  bareVersion,
  compareVersions,
  downloadReleaseFile,
  extractFromTarGz,
  latestVersion,
  releaseUrl,
  verifyChecksum,
} from "../shared/release.ts";
import { VERSION } from "../shared/version.ts";
import { type Command, type CommandContext, flagOption, stringOption } from "./command.ts";
import { CommandError } from "./ui.ts";

/** `maximize update --check` when a newer release exists (0: up to date; 1: the check failed). */
export const EXIT_UPDATE_AVAILABLE = 3;

const HELP = `Usage: maximize update [--check] [--version X]

Replaces this maximize binary with the latest release (or release X), after checking the
download against the release's SHA256SUMS. The binary is replaced in one rename; the old
one is kept beside it as maximize.previous (move it back to undo). A running proxy keeps
its version until it is restarted.

Options:
  --check        only report this version and the latest; exit 0 when up to date,
                 exit ${EXIT_UPDATE_AVAILABLE} when an update is available, 1 when the check failed
  --version X    install release X (e.g. 0.2.0 or v0.2.0) instead of the latest

Environment:
  MAXIMIZE_DOWNLOAD_BASE   releases URL laid out like GitHub's, as for the installer
                           (default ${DEFAULT_DOWNLOAD_BASE})

Not for the Docker image (pull a newer image instead) nor for a copy installed by a
package manager (update it with that package manager).
`;

/** Where a package manager installs, and how to update from it. Matched against the binary's real path. */
const MANAGED: readonly { pattern: RegExp; how: string }[] = [
  { pattern: /\/node_modules\//, how: "npm (npm update / npm install of the new version)" },
  { pattern: /^\/(opt\/homebrew|usr\/local\/Cellar|home\/linuxbrew\/\.linuxbrew)\//, how: "Homebrew (brew upgrade maximize)" },
  { pattern: /^\/nix\/store\//, how: "Nix" },
  { pattern: /^\/snap\//, how: "snap (snap refresh maximize)" },
  { pattern: /^\/(usr\/)?s?bin\//, how: "your system's package manager (apt, dnf, pacman…)" },
];

/** The facts that decide whether this binary may replace itself (gathered by the caller; pure to test). */
export interface Installation {
  /** The running executable, symlinks resolved. */
  binary: string;
  /** A compiled maximize (not `bun src/index.ts`, where the executable is Bun itself). */
  compiled: boolean;
  platform: string;
  env: Record<string, string | undefined>;
}

/** Why this installation must not update itself, as a sentence saying what to do instead; undefined when it may. */
export function refusal(installation: Installation): string | undefined {
  if (installation.env.MAXIMIZE_IN_CONTAINER === "1") {
    return "maximize runs from its container image here, which is not updated from inside: pull the newer image (docker pull ghcr.io/maximize-proxy/maximize, or docker compose pull) and recreate the container";
  }
  if (!installation.compiled) {
    return `this maximize runs from source under ${installation.binary}, not as the release binary: update it with git pull (or install the release binary, see the README)`;
  }
  if (installation.platform === "win32") {
    return "maximize update does not replace itself on Windows yet: download maximize-windows-x64.zip from the releases page";
  }
  const managed = MANAGED.find(({ pattern }) => pattern.test(installation.binary.split(sep).join("/")));
  if (managed) return `${installation.binary} was installed by a package manager: update it with ${managed.how}`;
  return undefined;
}

/** This machine's build, by the rules of scripts/install.sh (musl loader, AVX2 in /proc/cpuinfo). */
function thisMachine(): Machine {
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return "";
    }
  };
  const musl =
    existsSync("/etc/alpine-release") || ["/lib/ld-musl-x86_64.so.1", "/lib/ld-musl-aarch64.so.1"].some((path) => existsSync(path));
  return { platform: process.platform, arch: process.arch, musl, avx2: /\bavx2\b/.test(read("/proc/cpuinfo")) };
}

/** The running executable's real path and whether it is a compiled maximize (Bun's embedded files live in /$bunfs). */
function thisInstallation(env: Record<string, string | undefined>): Installation {
  const binary = (() => {
    try {
      return realpathSync(process.execPath);
    } catch {
      return process.execPath;
    }
  })();
  const compiled = Bun.main.startsWith("/$bunfs/") || Bun.main.includes("~BUN");
  return { binary, compiled, platform: process.platform, env };
}

/** Says which directory and what to do when the binary's directory cannot take the new file. */
function requireWritable(dir: string): void {
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new CommandError(
      `cannot update: ${dir} (where maximize is) is not writable by ${whoAmI()}: ${plainReason(error)} — run the update as the user who owns ${dir} (e.g. with sudo), or reinstall maximize to a directory you own with the installer (--install-dir)`,
    );
  }
}

/** Runs `path --version`; its output, or undefined when it does not run here. */
async function versionOf(path: string): Promise<string | undefined> {
  try {
    const child = Bun.spawn([path, "--version"], { stdout: "pipe", stderr: "ignore", stdin: "ignore" });
    const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    return code === 0 ? out.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `bytes` as an executable beside `binary` (same filesystem, so the final rename is atomic). */
function stage(binary: string, bytes: Uint8Array): string {
  const staged = join(dirname(binary), `.${basename(binary)}.new.${process.pid}`);
  rmSync(staged, { force: true }); // left by an update that was killed with this pid
  try {
    writeNewFileSynced(staged, bytes, 0o755);
  } catch (error) {
    rmSync(staged, { force: true }); // never leave tens of MB of half a binary behind
    throw error;
  }
  return staged;
}

/** Keeps the current binary as `<binary>.previous` (a hard link: the binary stays in place), then renames the new one over it. */
function swap(binary: string, staged: string): string {
  const previous = `${binary}.previous`;
  rmSync(previous, { force: true });
  try {
    linkSync(binary, previous);
  } catch {
    copyFileSync(binary, previous);
  }
  renameSync(staged, binary);
  return previous;
}

/**
 * The releases URL. Plain http only to this machine (a local mirror, the tests): SHA256SUMS comes over the same
 * channel as the archive, so elsewhere it would guard against corruption, not against someone on the network.
 */
export function downloadBase(env: Record<string, string | undefined>): string {
  const base = (env.MAXIMIZE_DOWNLOAD_BASE || DEFAULT_DOWNLOAD_BASE).replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new CommandError(`MAXIMIZE_DOWNLOAD_BASE is not a URL (${base}): give the releases address, e.g. ${DEFAULT_DOWNLOAD_BASE}`);
  }
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i.test(url.hostname);
  if (url.protocol === "https:" || (url.protocol === "http:" && loopback)) return base;
  throw new CommandError(
    `MAXIMIZE_DOWNLOAD_BASE must be an https:// address (plain http only for this machine): ${url.protocol}//${url.host} could hand over any binary`,
  );
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * For `serve` with update.check on: looks for a newer release now and once a day, and logs it (once per check).
 * A failed check is only a debug line: the proxy's log is not the place to nag about the network.
 */
export function watchForUpdates(deps: {
  fetch: Fetch;
  env: Record<string, string | undefined>;
  log: Pick<Logger, "info" | "debug">;
  intervalMs?: number;
}): { stop(): void; checked: Promise<void> } {
  let base: string;
  try {
    base = downloadBase(deps.env);
  } catch (error) {
    deps.log.info(`update check off: ${(error as Error).message}`);
    return { stop: () => {}, checked: Promise.resolve() };
  }
  const check = async () => {
    try {
      const latest = await latestVersion(deps.fetch, base);
      if (compareVersions(latest, VERSION) <= 0) return deps.log.debug(`update check: maximize ${VERSION} is the latest release`);
      const how = deps.env.MAXIMIZE_IN_CONTAINER === "1" ? "pull the newer image" : "run `maximize update` to install it";
      deps.log.info(`maximize ${latest} is available (this is ${VERSION}) — ${how}`);
    } catch (error) {
      deps.log.debug(`update check failed: ${(error as Error).message}`);
    }
  };
  const timer = setInterval(check, deps.intervalMs ?? DAY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer), checked: check() };
}

async function run(ctx: CommandContext): Promise<number> {
  const { out, err } = ctx;
  const base = downloadBase(ctx.env);
  const pinned = stringOption(ctx.args, "version");
  const installation = thisInstallation(ctx.env);

  if (flagOption(ctx.args, "check")) {
    const latest = await latestVersion(ctx.fetch, base);
    if (compareVersions(VERSION, latest) >= 0) {
      out.write(`maximize ${VERSION} is up to date (latest release: ${latest})\n`);
      return 0;
    }
    const how = installation.env.MAXIMIZE_IN_CONTAINER === "1" ? "pull the newer image" : "run maximize update";
    out.write(`maximize ${VERSION}: an update is available: ${latest} — ${how}\n`);
    return EXIT_UPDATE_AVAILABLE;
  }

  const refused = refusal(installation);
  if (refused) throw new CommandError(`cannot update: ${refused}`);
  const target = targetFor(thisMachine());
  if (target === undefined) {
    throw new CommandError(`cannot update: there is no release build for ${process.platform}-${process.arch}; see ${base}`);
  }
  const binary = installation.binary;
  requireWritable(dirname(binary));

  const version = pinned === undefined ? await latestVersion(ctx.fetch, base) : bareVersion(pinned);
  if (pinned === undefined && compareVersions(VERSION, version) > 0) {
    out.write(
      `maximize ${VERSION} is newer than the latest release (${version}); nothing to do (--version ${version} installs that one)\n`,
    );
    return 0;
  }
  if (version === VERSION) {
    out.write(`maximize ${VERSION} is ${pinned === undefined ? "up to date" : "already that version"}; nothing to do\n`);
    return 0;
  }
  const archive = archiveName(target);
  err.write(`Downloading ${archive} ${version} from ${releaseUrl(base, version)} (tens of MB)...\n`);
  const sums = new TextDecoder().decode(await downloadReleaseFile(ctx.fetch, base, version, "SHA256SUMS"));
  const bytes = await downloadReleaseFile(ctx.fetch, base, version, archive);
  try {
    verifyChecksum(sums, archive, bytes);
  } catch (error) {
    throw new CommandError(`${(error as Error).message}; ${binary} is unchanged (maximize ${VERSION})`);
  }
  err.write("Checksum OK\n");
  const executable = extractFromTarGz(bytes, binaryName(target));
  if (executable === undefined) throw new CommandError(`${archive} does not contain ${binaryName(target)}; ${binary} is unchanged`);

  const staged = (() => {
    try {
      return stage(binary, executable);
    } catch (error) {
      throw new CommandError(
        `cannot write the new binary beside ${binary}: ${plainReason(error)} — check ${dirname(binary)}; maximize is unchanged`,
      );
    }
  })();
  try {
    const stagedVersion = await versionOf(staged);
    if (stagedVersion === undefined)
      throw new CommandError(`the downloaded maximize ${version} does not run on this machine; ${binary} is unchanged`);
    if (stagedVersion !== version) {
      throw new CommandError(`asked for version ${version} but the release contains ${stagedVersion}; ${binary} is unchanged`);
    }
    const previous = (() => {
      try {
        return swap(binary, staged);
      } catch (error) {
        throw new CommandError(
          `cannot replace ${binary}: ${plainReason(error)} — check ${dirname(binary)}; maximize ${VERSION} is still there`,
        );
      }
    })();
    out.write(`${out.colors.green("✓")} updated maximize ${VERSION} → ${version} at ${binary} (the previous one is kept as ${previous})\n`);
    err.write("A running maximize keeps its version until it is restarted.\n");
    return 0;
  } finally {
    rmSync(staged, { force: true });
  }
}

export const updateCommand: Command = {
  name: "update",
  summary: "replace this binary with the latest release (--check: only report)",
  help: HELP,
  options: { check: { type: "boolean" }, version: { type: "string" } },
  run,
};
