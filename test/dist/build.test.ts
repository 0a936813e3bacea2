// scripts/build.ts: the target table, artifact checks, archives + SHA256SUMS, and the host binary itself
// (--version, serve + /healthz, health, and no auto-loaded .env / bunfig.toml from the working directory).
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { TARGETS, archive, assetName, findTarget, verifyBinary, writeChecksums } from "../../scripts/build.ts";
import { inspectBinary } from "../../scripts/inspect.ts";
import { freePort, requireBinary, waitForHealthy } from "../support/binary.ts";
import { missingTools, removeTempDirs, run, tempDir } from "./helpers.ts";

const hostArch = process.arch === "arm64" ? "arm64" : "x64";

afterAll(removeTempDirs);

describe("the target table", () => {
  test("derives the eight published asset names", () => {
    expect(TARGETS.map(assetName)).toEqual([
      "maximize-linux-x64",
      "maximize-linux-x64-baseline",
      "maximize-linux-arm64",
      "maximize-linux-x64-musl",
      "maximize-linux-arm64-musl",
      "maximize-darwin-arm64",
      "maximize-darwin-x64",
      "maximize-windows-x64",
    ]);
  });

  test("--target names round-trip and unknown names list the known ones", () => {
    for (const target of TARGETS) expect(findTarget(assetName(target).slice("maximize-".length))).toBe(target);
    expect(() => findTarget("linux-riscv64")).toThrow(/known: linux-x64, linux-x64-baseline/);
  });
});

describe("artifact checks", () => {
  test("the host binary is a 64-bit glibc ELF for this CPU, and verifyBinary refuses a wrong target", async () => {
    const binary = requireBinary();
    expect(inspectBinary(await Bun.file(binary).bytes())).toEqual({ format: "elf", arch: hostArch, libc: "glibc" });
    await verifyBinary(binary, findTarget(`linux-${hostArch}`));
    await expect(verifyBinary(binary, findTarget(`linux-${hostArch}-musl`))).rejects.toThrow(/expected elf/);
    await expect(verifyBinary(binary, findTarget("darwin-arm64"))).rejects.toThrow(/expected macho/);
  });

  test("inspectBinary refuses something that is not an executable", () => {
    expect(() => inspectBinary(new TextEncoder().encode("#!/bin/sh\necho hi\n"))).toThrow(/not an ELF/);
  });
});

describe("archives and SHA256SUMS", () => {
  const dir = tempDir("archives");

  test("the .tar.gz holds only the executable, and sha256sum -c --ignore-missing accepts SHA256SUMS", async () => {
    const target = findTarget(`linux-${hostArch}`);
    const tarball = await archive(requireBinary(), target, dir);
    const listing = await run(["tar", "-tvzf", tarball]);
    expect(listing.exitCode).toBe(0);
    const entries = listing.stdout.trim().split("\n");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^-rwxr-xr-x 0\/0 .* maximize$/);

    const sums = await Bun.file(await writeChecksums(dir)).text();
    expect(sums).toMatch(new RegExp(`^[0-9a-f]{64}  maximize-linux-${hostArch}\\.tar\\.gz\\n$`));
    const check = await run(["sha256sum", "-c", "--ignore-missing", "SHA256SUMS"], { cwd: dir });
    expect(check.stdout).toContain(`maximize-linux-${hostArch}.tar.gz: OK`);
    expect(check.exitCode).toBe(0);
  }, 60_000);

  test.skipIf(missingTools(["zip", "unzip"]).length > 0)("the Windows .zip holds only maximize.exe", async () => {
    const stage = tempDir("zip");
    const exe = join(stage, "maximize.exe");
    writeFileSync(exe, "MZ stand-in");
    const zip = await archive(exe, findTarget("windows-x64"), dir);
    expect(zip.endsWith("maximize-windows-x64.zip")).toBe(true);
    expect((await run(["unzip", "-Z1", zip])).stdout.trim()).toBe("maximize.exe");
    expect(await Bun.file(await writeChecksums(dir)).text()).toContain("  maximize-windows-x64.zip\n");
  });
});

describe("the host binary (dist/maximize)", () => {
  const children: Bun.Subprocess[] = [];
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
  });

  test("--version prints the injected package version", async () => {
    const result = await run([requireBinary(), "--version"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: `${pkg.version}\n` });
  });

  test("serve answers /healthz, `health` exits 0 while it runs and 1 after SIGTERM; .env and bunfig.toml in the cwd are ignored", async () => {
    const cwd = tempDir("cwd");
    const port = freePort();
    const dotenvPort = freePort();
    // If the binary auto-loaded .env it would listen on dotenvPort (env beats config.json) and refuse the request
    // without the API key; a bunfig.toml preload would leave a marker file.
    writeFileSync(join(cwd, ".env"), `MAXIMIZE_PORT=${dotenvPort}\nMAXIMIZE_API_KEYS=from-dotenv-key\n`);
    writeFileSync(join(cwd, "bunfig.toml"), 'preload = ["./preload.js"]\n[run]\npreload = ["./preload.js"]\n');
    writeFileSync(join(cwd, "preload.js"), `require("node:fs").writeFileSync(${JSON.stringify(join(cwd, "bunfig-was-loaded"))}, "1");\n`);
    writeFileSync(join(cwd, "config.json"), JSON.stringify({ server: { port } }));
    chmodSync(cwd, 0o755);
    const env = { PATH: process.env.PATH ?? "", HOME: cwd };
    const server = Bun.spawn([requireBinary(), "serve"], { cwd, env, stdout: "pipe", stderr: "pipe" });
    children.push(server);

    await waitForHealthy(`http://127.0.0.1:${port}/healthz`);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.json());
    expect(health).toMatchObject({ status: "ok", version: pkg.version });
    expect(
      await fetch(`http://127.0.0.1:${dotenvPort}/healthz`).then(
        () => "listening",
        () => "closed",
      ),
    ).toBe("closed");
    expect(existsSync(join(cwd, "bunfig-was-loaded"))).toBe(false);

    expect((await run([requireBinary(), "health", "--port", String(port)], { cwd, env })).exitCode).toBe(0);
    server.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect((await run([requireBinary(), "health", "--port", String(port)], { cwd, env })).exitCode).toBe(1);
  });
});
