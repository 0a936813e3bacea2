// `maximize update` with the compiled binary (a copy in a temp dir, so it can replace itself) against a local release
// server laid out like GitHub's (/latest/download/FILE redirects to /download/vX/FILE), with a real newer release:
// the binary compiled as version 99.0.0.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { archive, archiveName, compile, sha256, TARGETS } from "../../scripts/build.ts";
import { freePort, requireBinary } from "../support/binary.ts";
import { type FileServer, removeTempDirs, run, serveDirectory, tempDir } from "../dist/helpers.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic.ts";
import { type RunningCli, cliWorld, startCli } from "./helpers.ts";

const NEW_VERSION = "99.0.0";
const TAMPERED = "6.6.6";
const linux = process.platform === "linux";
const arch = process.arch === "arm64" ? "arm64" : "x64";
/** Every Linux build for this CPU: whichever the binary picks (glibc, baseline, musl) is in the release. */
const ASSETS = TARGETS.filter((target) => target.os === "linux" && target.arch === arch).map(archiveName);
const SETPRIV = Bun.which("setpriv");

let server: FileServer;
let upToDate: FileServer;
let fake: FakeAnthropic;
const serving: RunningCli[] = [];

beforeAll(async () => {
  if (!linux) return;
  fake = await startFakeAnthropic();
  const root = tempDir("update-releases");
  const newBinary = join(tempDir("update-new"), "maximize");
  await compile(newBinary, undefined, NEW_VERSION);
  const release = join(root, "download", `v${NEW_VERSION}`);
  mkdirSync(release, { recursive: true });
  const [first = "", ...others] = ASSETS;
  await archive(newBinary, TARGETS.find((target) => archiveName(target) === first) ?? TARGETS[0]!, release);
  for (const name of others) copyFileSync(join(release, first), join(release, name));
  const sums = await Promise.all(ASSETS.map(async (name) => `${await sha256(join(release, name))}  ${name}\n`));
  writeFileSync(join(release, "SHA256SUMS"), sums.join(""));
  // v6.6.6: the archives are 99.0.0's, but SHA256SUMS lists other hashes (an archive swapped after it was written).
  const tampered = join(root, "download", `v${TAMPERED}`);
  mkdirSync(tampered, { recursive: true });
  for (const name of ASSETS) copyFileSync(join(release, name), join(tampered, name));
  writeFileSync(join(tampered, "SHA256SUMS"), ASSETS.map((name) => `${"ab".repeat(32)}  ${name}\n`).join(""));
  server = serveDirectory(root, { latest: `v${NEW_VERSION}` });
  upToDate = serveDirectory(root, { latest: `v${pkg.version}` });
}, 120_000);

afterAll(async () => {
  for (const cli of serving) {
    cli.child.kill("SIGKILL");
    await cli.exited.catch(() => undefined);
  }
  fake?.close();
  server?.stop();
  upToDate?.stop();
  removeTempDirs();
});

/** A copy of dist/maximize in `dir` (created world-readable so another user can run it). */
function installCopy(dir = tempDir("update-bin")): string {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const binary = join(dir, "maximize");
  copyFileSync(requireBinary(), binary);
  chmodSync(binary, 0o755);
  return binary;
}

const update = (binary: string, args: string[] = [], env: Record<string, string> = {}, prefix: string[] = []) =>
  run([...prefix, binary, "update", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: tempDir("update-home"), MAXIMIZE_DOWNLOAD_BASE: server.url, ...env },
  });

const versionOf = async (binary: string) => (await run([binary, "--version"])).stdout.trim();

describe.skipIf(!linux)("maximize update", () => {
  test("--check: exit 3 and both versions when a newer release exists; exit 0 when up to date", async () => {
    const binary = requireBinary();
    const newer = await update(binary, ["--check"]);
    expect(newer.stdout).toContain(`maximize ${pkg.version}: an update is available: ${NEW_VERSION} — run maximize update`);
    expect(newer.exitCode).toBe(3);
    const current = await update(binary, ["--check"], { MAXIMIZE_DOWNLOAD_BASE: upToDate.url });
    expect(current.stdout).toContain(`maximize ${pkg.version} is up to date (latest release: ${pkg.version})`);
    expect(current.exitCode).toBe(0);
  });

  test("installs the latest release over the binary in one rename, keeping the previous one beside it", async () => {
    const binary = installCopy();
    const before = await sha256(binary);
    const result = await update(binary);
    expect(result.stderr).toContain("Checksum OK");
    expect(result.stdout).toContain(`updated maximize ${pkg.version} → ${NEW_VERSION} at ${binary}`);
    expect(result.exitCode).toBe(0);
    expect(await versionOf(binary)).toBe(NEW_VERSION);
    expect(await versionOf(`${binary}.previous`)).toBe(pkg.version);
    expect(await sha256(`${binary}.previous`)).toBe(before);
    expect(statSync(binary).mode & 0o777).toBe(0o755);
    expect(readdirSync(join(binary, "..")).sort()).toEqual(["maximize", "maximize.previous"]); // nothing staged left
    expect(server.requests).toContain(`/download/v${NEW_VERSION}/SHA256SUMS`);

    const again = await update(binary); // now the new one runs: already the latest
    expect(again.stdout).toContain(`maximize ${NEW_VERSION} is up to date`);
    expect(again.exitCode).toBe(0);
    const older = await update(binary, [], { MAXIMIZE_DOWNLOAD_BASE: upToDate.url }); // never a silent downgrade
    expect(older.stdout).toContain(`maximize ${NEW_VERSION} is newer than the latest release (${pkg.version}); nothing to do`);
    expect(older.exitCode).toBe(0);
    expect(await versionOf(binary)).toBe(NEW_VERSION);
  }, 60_000);

  test("--version pins a release; a tampered archive is refused and the old binary is kept", async () => {
    const binary = installCopy();
    const before = await sha256(binary);
    const result = await update(binary, ["--version", `v${TAMPERED}`]);
    expect(result.stderr).toMatch(new RegExp(`checksum mismatch for maximize-linux-${arch}[a-z-]*\\.tar\\.gz`));
    expect(result.stderr).toContain(`refusing to install it; ${binary} is unchanged (maximize ${pkg.version})`);
    expect(result.exitCode).toBe(1);
    expect(server.requests).toContain(`/download/v${TAMPERED}/SHA256SUMS`);
    expect(await sha256(binary)).toBe(before);
    expect(readdirSync(join(binary, ".."))).toEqual(["maximize"]);
  }, 60_000);

  test("a --version that does not exist says so and where the versions are", async () => {
    const result = await update(installCopy(), ["--version", "1.2.3"]);
    expect(result.stderr).toContain(`there is no release v1.2.3 (${server.url}/download/v1.2.3/SHA256SUMS answered 404)`);
    expect(result.exitCode).toBe(1);
  });

  test("a directory it cannot write to: says which and what to do, before downloading anything", async () => {
    const binary = installCopy();
    const dir = join(binary, "..");
    chmodSync(dir, 0o555);
    // root writes anywhere: run it as nobody, as a person without rights to the directory would.
    const asNobody = process.getuid?.() === 0 ? [SETPRIV ?? "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
    const before = server.requests.length;
    const result = await update(binary, [], {}, asNobody);
    expect(result.stderr).toContain(`cannot update: ${dir} (where maximize is) is not writable by uid`);
    expect(result.stderr).toContain("run the update as the user who owns");
    expect(result.exitCode).toBe(1);
    expect(server.requests.length).toBe(before);
    expect(await versionOf(binary)).toBe(pkg.version);
  });

  test("inside the container image it refuses and says to pull the image", async () => {
    const result = await update(installCopy(), [], { MAXIMIZE_IN_CONTAINER: "1" });
    expect(result.stderr).toContain("cannot update: maximize runs from its container image");
    expect(result.stderr).toContain("docker pull ghcr.io/maximize-proxy/maximize");
    expect(result.exitCode).toBe(1);
  });

  test("a copy installed by npm (under node_modules) refuses and names npm", async () => {
    const binary = installCopy(join(tempDir("update-npm"), "node_modules", ".bin"));
    const result = await update(binary);
    expect(result.stderr).toContain(`cannot update: ${binary} was installed by a package manager: update it with npm`);
    expect(result.exitCode).toBe(1);
  });

  test("an unreachable release server is a network failure in words", async () => {
    const port = freePort();
    const result = await update(installCopy(), ["--check"], { MAXIMIZE_DOWNLOAD_BASE: `http://127.0.0.1:${port}` });
    expect(result.stderr).toContain(`could not reach the releases at http://127.0.0.1:${port}/latest/download/SHA256SUMS`);
    expect(result.stderr).toContain("connection refused");
    expect(result.exitCode).toBe(1);
  });

  test("serve: with update.check on it logs a newer release; off (the default) it asks the release server nothing", async () => {
    const latestRequests = () => server.requests.filter((path) => path === "/latest/download/SHA256SUMS").length;
    const before = latestRequests();
    const start = (env: Record<string, string>) => {
      const world = cliWorld(fake, { MAXIMIZE_DOWNLOAD_BASE: server.url, MAXIMIZE_PORT: String(freePort()), ...env });
      const cli = startCli(world, ["serve"]);
      serving.push(cli);
      return cli;
    };
    const quiet = start({});
    await quiet.waitFor(/listening on/);
    const asked = start({ MAXIMIZE_UPDATE_CHECK: "1" });
    await asked.waitFor(
      new RegExp(`maximize ${NEW_VERSION} is available \\(this is ${pkg.version}\\) — run \`maximize update\` to install it`),
    );
    expect(latestRequests()).toBe(before + 1); // the one that was asked to; the default one started first made none
    expect(quiet.output()).not.toContain("is available");
  }, 30_000);
});
