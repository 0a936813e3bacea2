// scripts/install.sh against a local file server laid out like GitHub releases, under dash and busybox sh:
// fresh install, reinstall, pinned version, checksum refusals, PATH handling, fallbacks, truncated script.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { archive, compile, findTarget, writeChecksums } from "../../scripts/build.ts";
import { freePort, requireBinary } from "../support/binary.ts";
import { type FileServer, REPO, missingTools, removeTempDirs, run, serveDirectory, skipBecause, tempDir } from "./helpers.ts";

const INSTALLER = join(REPO, "scripts", "install.sh");
const OLD_VERSION = "0.0.9";
const arch = process.arch === "arm64" ? "arm64" : "x64";
const ASSET = `maximize-linux-${arch}.tar.gz`;
const missing = missingTools(["dash", "busybox", "tar", "gzip", "sha256sum", "openssl", "wget"]);
const skip = skipBecause(
  "installer tests",
  missing.length > 0 ? `missing ${missing.join(", ")} (apt-get install -y dash busybox wget openssl)` : undefined,
);

let server: FileServer;
let busyboxBin: string;

/** One release directory as GitHub serves it: <root>/download/v<version>/{archive, SHA256SUMS}. */
async function publish(root: string, tag: string, binary: string): Promise<void> {
  const dir = join(root, "download", tag);
  mkdirSync(dir, { recursive: true });
  await archive(binary, findTarget(`linux-${arch}`), dir);
  await writeChecksums(dir);
}

beforeAll(async () => {
  if (skip) return;
  const root = tempDir("releases");
  const oldBinary = join(tempDir("old"), "maximize");
  await compile(oldBinary, undefined, OLD_VERSION);
  await publish(root, `v${pkg.version}`, requireBinary());
  await publish(root, `v${OLD_VERSION}`, oldBinary);
  mkdirSync(join(root, "latest"));
  symlinkSync(join(root, "download", `v${pkg.version}`), join(root, "latest", "download"));
  // v6.6.6: the archive was swapped after SHA256SUMS was written. v7.7.7: SHA256SUMS lacks this asset.
  const release = (tag: string) => join(root, "download", tag);
  mkdirSync(release("v6.6.6"));
  copyFileSync(join(release(`v${OLD_VERSION}`), "SHA256SUMS"), join(release("v6.6.6"), "SHA256SUMS"));
  copyFileSync(join(release(`v${pkg.version}`), ASSET), join(release("v6.6.6"), ASSET));
  mkdirSync(release("v7.7.7"));
  copyFileSync(join(release(`v${pkg.version}`), ASSET), join(release("v7.7.7"), ASSET));
  writeFileSync(join(release("v7.7.7"), "SHA256SUMS"), `${"0".repeat(64)}  maximize-darwin-arm64.tar.gz\n`);
  // v8.8.8: a release without this platform's archive.
  mkdirSync(release("v8.8.8"));
  copyFileSync(join(release(`v${pkg.version}`), "SHA256SUMS"), join(release("v8.8.8"), "SHA256SUMS"));
  server = serveDirectory(root);
  busyboxBin = tempDir("busybox-bin");
  expect((await run(["busybox", "--install", "-s", busyboxBin])).exitCode).toBe(0);
}, 120_000);

afterAll(() => {
  server?.stop();
  removeTempDirs();
});

interface Install {
  home: string;
  exitCode: number;
  output: string;
}

/** Runs the installer with `shell` in a fresh (or given) HOME, talking to the local release server. */
async function install(
  shell: string[],
  args: string[] = [],
  options: { home?: string; path?: string; loginShell?: string; base?: string } = {},
): Promise<Install> {
  const home = options.home ?? tempDir("home");
  const env = {
    HOME: home,
    PATH: options.path ?? process.env.PATH ?? "",
    SHELL: options.loginShell ?? "/bin/bash",
    MAXIMIZE_DOWNLOAD_BASE: options.base ?? server.url,
  };
  const [program = "sh", ...rest] = shell;
  const result = await run([Bun.which(program) ?? program, ...rest, INSTALLER, ...args], { env, cwd: home });
  return { home, exitCode: result.exitCode, output: result.stdout + result.stderr };
}

const installedVersion = async (home: string) => (await run([join(home, ".maximize", "bin", "maximize"), "--version"])).stdout.trim();

describe.skipIf(skip)("scripts/install.sh", () => {
  test("passes shellcheck -s sh", async () => {
    if (
      skipBecause(
        "shellcheck",
        missingTools(["shellcheck"]).length > 0 ? "shellcheck is not installed (apt-get install -y shellcheck)" : undefined,
      )
    )
      return;
    const result = await run(["shellcheck", "-s", "sh", INSTALLER, join(REPO, "scripts", "rootfs.sh")]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });

  test("dash: fresh install of the latest release, one PATH line, next steps; a reinstall changes nothing else", async () => {
    const first = await install(["dash"]);
    expect(first.output).toContain("Checksum OK");
    expect(first.exitCode).toBe(0);
    expect(await installedVersion(first.home)).toBe(pkg.version);
    expect(first.output).toContain(`Added ${first.home}/.maximize/bin to PATH in ${first.home}/.bashrc`);
    expect(first.output).toContain("maximize login");
    expect(first.output).toContain("export ANTHROPIC_BASE_URL=http://127.0.0.1:8081");
    const line = `export PATH="${first.home}/.maximize/bin:$PATH"`;
    expect(readFileSync(join(first.home, ".bashrc"), "utf8")).toBe(`\n# maximize\n${line}\n`);

    const again = await install(["dash"], [], { home: first.home });
    expect(again.exitCode).toBe(0);
    expect(again.output).toContain("PATH already set");
    expect(readFileSync(join(first.home, ".bashrc"), "utf8")).toBe(`\n# maximize\n${line}\n`);
    expect(await installedVersion(first.home)).toBe(pkg.version);
  }, 60_000);

  test("dash: --version pins a release (with or without the v), then a plain install upgrades in place", async () => {
    const pinned = await install(["dash"], ["--version", OLD_VERSION]);
    expect(pinned.exitCode).toBe(0);
    expect(await installedVersion(pinned.home)).toBe(OLD_VERSION);
    expect(server.requests).toContain(`/download/v${OLD_VERSION}/${ASSET}`);
    const withV = await install(["dash"], ["--version", `v${OLD_VERSION}`], { home: pinned.home });
    expect(withV.exitCode).toBe(0);
    const latest = await install(["dash"], [], { home: pinned.home });
    expect(latest.exitCode).toBe(0);
    expect(await installedVersion(pinned.home)).toBe(pkg.version);
  }, 60_000);

  test("a tampered archive is refused and the previous install is left untouched", async () => {
    const good = await install(["dash"], ["--version", OLD_VERSION]);
    const tampered = await install(["dash"], ["--version", "6.6.6"], { home: good.home });
    expect(tampered.exitCode).not.toBe(0);
    expect(tampered.output).toContain(`checksum mismatch for ${ASSET}`);
    expect(tampered.output).toContain("refusing to install");
    expect(await installedVersion(good.home)).toBe(OLD_VERSION);
  }, 60_000);

  test("a SHA256SUMS without this asset is refused; nothing is installed", async () => {
    const result = await install(["dash"], ["--version", "7.7.7"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain(`SHA256SUMS has no entry for ${ASSET}`);
    expect(existsSync(join(result.home, ".maximize", "bin", "maximize"))).toBe(false);
  });

  test("dash (curl): a --version that does not exist says so and where the versions are, not 'download failed'", async () => {
    const result = await install(["dash"], ["--version", "1.2.3"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain(`there is no release v1.2.3 (${server.url}/download/v1.2.3/SHA256SUMS answered 404)`);
    expect(result.output).toContain(`the versions that exist are listed at ${server.url}`);
    expect(result.output).not.toContain("network");
  });

  test("busybox sh (wget): a --version that does not exist says so too", async () => {
    const result = await install(["busybox", "sh"], ["--version", "1.2.3"], { path: busyboxBin });
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain("there is no release v1.2.3");
  });

  test("a release without this platform's archive names the missing file", async () => {
    const result = await install(["dash"], ["--version", "8.8.8"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain(`the release at ${server.url}/download/v8.8.8 has no ${ASSET}`);
  });

  test("an unreachable server is a network failure, with what to check", async () => {
    const result = await install(["dash"], [], { base: `http://127.0.0.1:${freePort()}` });
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain("could not download");
    expect(result.output).toContain("check the network connection");
    expect(result.output).not.toContain("there is no release");
  });

  test("the archive download is announced, then its size; not a silent wait", async () => {
    const result = await install(["dash"]);
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(new RegExp(`Downloading ${ASSET} \\(tens of MB[^\\n]*\\n(.*\\n)?Downloaded \\d+ MB\\n`));
  }, 60_000);

  test("on a terminal, curl draws its progress bar for the archive", async () => {
    if (skipBecause("installer progress bar", missingTools(["script", "curl"]).length > 0 ? "needs script and curl" : undefined)) return;
    const home = tempDir("tty");
    const result = await run(["script", "-qfec", `dash ${INSTALLER} --no-modify-path`, "/dev/null"], {
      env: { HOME: home, PATH: process.env.PATH ?? "", SHELL: "/bin/bash", TERM: "xterm", MAXIMIZE_DOWNLOAD_BASE: server.url },
      cwd: home,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("100.0%");
  }, 60_000);

  test("--install-dir that does not exist yet is created", async () => {
    const home = tempDir("newdir");
    const dir = join(home, "deep", "new", "bin");
    const result = await install(["dash"], ["--install-dir", dir, "--no-modify-path"], { home });
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(dir, "maximize"))).toBe(true);
  }, 60_000);

  test("busybox sh with only busybox applets on PATH (wget + busybox sha256sum/tar); --no-modify-path prints the line", async () => {
    const result = await install(["busybox", "sh"], ["--no-modify-path"], { path: busyboxBin, loginShell: "/bin/zsh" });
    expect(result.output).toContain("Checksum OK");
    expect(result.exitCode).toBe(0);
    expect(await installedVersion(result.home)).toBe(pkg.version);
    expect(result.output).toContain(`export PATH="${result.home}/.maximize/bin:$PATH"`);
    expect(existsSync(join(result.home, ".zshrc"))).toBe(false);
  }, 60_000);

  test("busybox sh: a tampered archive is refused too", async () => {
    const result = await install(["busybox", "sh"], ["--version", "6.6.6"], { path: busyboxBin });
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain("checksum mismatch");
    expect(existsSync(join(result.home, ".maximize", "bin", "maximize"))).toBe(false);
  }, 60_000);

  test("falls back to wget and openssl when curl, sha256sum and shasum are missing; zsh gets ~/.zshrc", async () => {
    const bin = tempDir("fallback-bin");
    const tools = [
      "sh",
      "dash",
      "awk",
      "cut",
      "sed",
      "grep",
      "uname",
      "basename",
      "dirname",
      "cp",
      "mv",
      "chmod",
      "mkdir",
      "rm",
      "mktemp",
      "tar",
      "gzip",
      "wget",
      "openssl",
      "cat",
    ];
    for (const tool of tools) symlinkSync(Bun.which(tool) ?? "/nonexistent", join(bin, tool));
    const result = await install(["dash"], [], { path: bin, loginShell: "/usr/bin/zsh" });
    expect(result.output).toContain("Checksum OK");
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(result.home, ".zshrc"), "utf8")).toContain(`export PATH="${result.home}/.maximize/bin:$PATH"`);
    const missingRelease = await install(["dash"], ["--version", "1.2.3"], { path: bin }); // GNU wget's 404
    expect(missingRelease.exitCode).not.toBe(0);
    expect(missingRelease.output).toContain("there is no release v1.2.3");
  }, 60_000);

  test.each(["README.md", "docs/INSTALL.md"])(
    "%s: the release-binary snippet works in a fresh HOME without ~/.local/bin",
    async (doc) => {
      const text = readFileSync(join(REPO, doc), "utf8");
      const block = /```sh\n(base=https:\/\/github\.com\/[^\n]*\n[\s\S]*?)```/.exec(text)?.[1];
      expect(block).toBeDefined();
      const script = (block ?? "")
        .replace(/^base=.*$/m, `base=${server.url}/latest/download`)
        .replaceAll("maximize-linux-x64.tar.gz", ASSET);
      const home = tempDir("snippet");
      const result = await run(["bash", "-euc", script], { env: { HOME: home, PATH: process.env.PATH ?? "" }, cwd: home });
      expect(result.stderr).toBe("");
      expect(result.exitCode).toBe(0);
      expect((await run([join(home, ".local", "bin", "maximize"), "--version"])).stdout.trim()).toBe(pkg.version);
    },
    60_000,
  );

  test("an x64 shell under Rosetta on macOS picks the darwin-arm64 build", async () => {
    const bin = tempDir("rosetta-bin");
    writeFileSync(join(bin, "uname"), '#!/bin/sh\ncase "$1" in -s) echo Darwin ;; -m) echo x86_64 ;; esac\n', { mode: 0o755 });
    writeFileSync(join(bin, "sysctl"), '#!/bin/sh\n[ "$2" = sysctl.proc_translated ] && echo 1\n', { mode: 0o755 });
    const result = await install(["dash"], [], { path: `${bin}:${process.env.PATH}` });
    expect(result.output).toContain("Downloading maximize-darwin-arm64");
    expect(result.exitCode).not.toBe(0);
  });

  test("a truncated download of the script does nothing at all", async () => {
    const script = readFileSync(INSTALLER, "utf8");
    const before = server.requests.length;
    for (const fraction of [0.25, 0.5, 0.9, 0.99]) {
      const home = tempDir("truncated");
      const cut = join(home, "install.sh");
      writeFileSync(cut, script.slice(0, Math.floor(script.length * fraction)));
      const result = await run(["dash", cut], {
        env: { HOME: home, PATH: process.env.PATH ?? "", SHELL: "/bin/bash", MAXIMIZE_DOWNLOAD_BASE: server.url },
      });
      expect(result.stdout).toBe("");
      expect(existsSync(join(home, ".maximize"))).toBe(false);
      expect(existsSync(join(home, ".bashrc"))).toBe(false);
    }
    expect(server.requests.length).toBe(before);
  });
});
