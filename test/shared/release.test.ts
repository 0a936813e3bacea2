import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ReleaseError,
  compareVersions,
  downloadReleaseFile,
  expectedChecksum,
  extractFromTarGz,
  latestVersion,
  sha256Hex,
  verifyChecksum,
} from "../../src/shared/release.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test.each([
  ["0.1.0", "0.1.0", 0],
  ["v0.1.0", "0.1.0", 0],
  ["0.10.0", "0.9.1", 1],
  ["0.9.1", "0.10.0", -1],
  ["1.0.0", "1.0", 0],
  ["1.0.0-rc.1", "1.0.0", -1],
  ["1.0.0", "1.0.0-rc.1", 1],
  ["1.0.0-rc.2", "1.0.0-rc.1", 1],
])("compareVersions(%s, %s) = %d", (a, b, expected) => {
  expect(compareVersions(a, b)).toBe(expected);
});

describe("SHA256SUMS", () => {
  const hash = sha256Hex(new TextEncoder().encode("archive"));
  const sums = `${"0".repeat(64)}  maximize-linux-arm64.tar.gz\n${hash} *maximize-linux-x64.tar.gz\n`;

  test("finds a name's hash in sha256sum's text and binary formats, and not a name it lacks", () => {
    expect(expectedChecksum(sums, "maximize-linux-arm64.tar.gz")).toBe("0".repeat(64));
    expect(expectedChecksum(sums, "maximize-linux-x64.tar.gz")).toBe(hash);
    expect(expectedChecksum(sums, "maximize-linux-x64")).toBeUndefined();
  });

  test("verifyChecksum accepts the listed hash and refuses another or a missing entry", () => {
    expect(() => verifyChecksum(sums, "maximize-linux-x64.tar.gz", new TextEncoder().encode("archive"))).not.toThrow();
    expect(() => verifyChecksum(sums, "maximize-linux-x64.tar.gz", new TextEncoder().encode("tampered"))).toThrow(
      `checksum mismatch for maximize-linux-x64.tar.gz (expected ${hash}, got `,
    );
    expect(() => verifyChecksum(sums, "maximize-darwin-x64.tar.gz", new Uint8Array())).toThrow(
      "SHA256SUMS has no entry for maximize-darwin-x64.tar.gz; refusing to install it",
    );
  });
});

test("extractFromTarGz reads a file out of a tar.gz made by tar (and nothing that is not there)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "maximize-tar-"));
  dirs.push(dir);
  writeFileSync(join(dir, "maximize"), "the binary\n".repeat(100));
  writeFileSync(join(dir, "README"), "other");
  const tar = await Bun.$`tar -C ${dir} -cf - README maximize`.arrayBuffer();
  const gz = Bun.gzipSync(new Uint8Array(tar));
  expect(new TextDecoder().decode(extractFromTarGz(gz, "maximize"))).toBe("the binary\n".repeat(100));
  expect(extractFromTarGz(gz, "maximize.exe")).toBeUndefined();
  expect(extractFromTarGz(new TextEncoder().encode("not gzip"), "maximize")).toBeUndefined();
});

describe("latestVersion: from the redirects of /latest/download/SHA256SUMS, as GitHub answers", () => {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      // GitHub: latest → the tag's download URL → a storage host whose URL names no version.
      if (path === "/gh/latest/download/SHA256SUMS") return Response.redirect("/gh/download/v0.4.2/SHA256SUMS", 302);
      if (path === "/gh/download/v0.4.2/SHA256SUMS") return Response.redirect("/storage/abc?sig=1", 302);
      if (path === "/plain/latest/download/SHA256SUMS") return new Response("sums");
      if (path === "/gh/download/v0.4.2/maximize-linux-x64.tar.gz") return new Response("archive");
      return new Response("Not Found", { status: 404 });
    },
  });
  afterAll(() => void server.stop(true));
  const base = (name: string) => `http://127.0.0.1:${server.port}/${name}`;

  test("the version named in the first redirect", async () => {
    expect(await latestVersion(fetch, base("gh"))).toBe("0.4.2");
    expect(await latestVersion(fetch, `${base("gh")}/`)).toBe("0.4.2");
  });

  test("a base without releases, and one that does not redirect, say what to do", async () => {
    await expect(latestVersion(fetch, base("none"))).rejects.toThrow(`no release found at ${base("none")}`);
    await expect(latestVersion(fetch, base("plain"))).rejects.toThrow("name the release with --version");
    await expect(latestVersion(fetch, base("plain"))).rejects.toBeInstanceOf(ReleaseError);
  });

  test("downloadReleaseFile: the file, or which of release and file is missing", async () => {
    expect(new TextDecoder().decode(await downloadReleaseFile(fetch, base("gh"), "v0.4.2", "maximize-linux-x64.tar.gz"))).toBe("archive");
    await expect(downloadReleaseFile(fetch, base("gh"), "9.9.9", "SHA256SUMS")).rejects.toThrow("there is no release v9.9.9");
    await expect(downloadReleaseFile(fetch, base("gh"), "0.4.2", "maximize-darwin-x64.tar.gz")).rejects.toThrow(
      `the release at ${base("gh")}/download/v0.4.2 has no maximize-darwin-x64.tar.gz`,
    );
  });
});
