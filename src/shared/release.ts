/**
 * Published releases, laid out as scripts/install.sh reads them (GitHub's layout, or a mirror's in
 * MAXIMIZE_DOWNLOAD_BASE): BASE/download/vX/{ARCHIVE, SHA256SUMS}, and BASE/latest/download/FILE redirecting to the
 * latest release's BASE/download/vX/FILE — the redirect is how the latest version is learnt.
 */
import { UserError } from "./errors.ts";
import type { Fetch } from "./http.ts";
import { describeNetworkError } from "./network-error.ts";

declare const MAXIMIZE_RELEASES_URL: string | undefined;

/**
 * Where releases are published: injected by scripts/build.ts from the repository that built the binary (as
 * release.yml rewrites install.sh's DEFAULT_DOWNLOAD_BASE); otherwise the same default as scripts/install.sh.
 */
export const DEFAULT_DOWNLOAD_BASE: string =
  typeof MAXIMIZE_RELEASES_URL === "string" ? MAXIMIZE_RELEASES_URL : "https://github.com/maximize-proxy/maximize/releases";

/** A release could not be found, fetched or trusted; the message says what to do. */
export class ReleaseError extends UserError {
  override name = "ReleaseError";
}

/** "v0.2.0" or "0.2.0" → "0.2.0". */
export const bareVersion = (version: string): string => version.trim().replace(/^v/, "");

/** The directory holding release `version`'s files. */
export const releaseUrl = (base: string, version: string): string => `${base.replace(/\/+$/, "")}/download/v${bareVersion(version)}`;

/** Compares dotted versions numerically ("0.10.0" > "0.9.1"); a pre-release ("1.0.0-rc.1") sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const split = (version: string) => {
    const [core = "", pre] = bareVersion(version).split("-", 2);
    return { parts: core.split(".").map((part) => Number.parseInt(part, 10) || 0), pre };
  };
  const [x, y] = [split(a), split(b)];
  for (let i = 0; i < Math.max(x.parts.length, y.parts.length); i++) {
    const diff = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

async function request(fetch: Fetch, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new ReleaseError(`could not reach the releases at ${url}: ${describeNetworkError(error, url)}`);
  }
}

/**
 * The latest release's version: BASE/latest/download/SHA256SUMS redirects (GitHub, or a mirror laid out like it) to
 * BASE/download/vX/SHA256SUMS. The redirects are followed by hand, up to the one that names the version.
 */
export async function latestVersion(fetch: Fetch, base: string): Promise<string> {
  const start = `${base.replace(/\/+$/, "")}/latest/download/SHA256SUMS`;
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    const named = /\/download\/v([^/]+)\/SHA256SUMS$/.exec(new URL(url).pathname)?.[1];
    if (named !== undefined) return decodeURIComponent(named);
    const response = await request(fetch, url, { redirect: "manual" });
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url).href;
      continue;
    }
    if (response.status === 404) {
      throw new ReleaseError(
        `no release found at ${base} (${start} answered 404) — check MAXIMIZE_DOWNLOAD_BASE, or name one with --version`,
      );
    }
    if (!response.ok)
      throw new ReleaseError(`${start} answered HTTP ${response.status} — try again later, or name a release with --version`);
    throw new ReleaseError(
      `${base} serves the latest release without saying its version (no redirect to download/vX/) — name the release with --version`,
    );
  }
  throw new ReleaseError(`${start} redirects too many times — check MAXIMIZE_DOWNLOAD_BASE`);
}

/** One file of release `version`, whole; a 404 says whether the release or the file is missing. */
export async function downloadReleaseFile(fetch: Fetch, base: string, version: string, name: string): Promise<Uint8Array<ArrayBuffer>> {
  const url = `${releaseUrl(base, version)}/${name}`;
  const response = await request(fetch, url);
  if (response.status === 404) {
    await response.body?.cancel();
    if (name === "SHA256SUMS") {
      throw new ReleaseError(
        `there is no release v${bareVersion(version)} (${url} answered 404); the versions that exist are listed at ${base}`,
      );
    }
    throw new ReleaseError(
      `the release at ${releaseUrl(base, version)} has no ${name} (no build for this platform in it?); the releases are listed at ${base}`,
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new ReleaseError(`could not download ${url}: the server answered HTTP ${response.status} — try again later`);
  }
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new ReleaseError(`the download of ${url} broke off: ${describeNetworkError(error, url)} — try again`);
  }
}

/** The SHA-256 that SHA256SUMS (`sha256sum` format, "*name" for binary mode too) lists for `name`, if any. */
export function expectedChecksum(sums: string, name: string): string | undefined {
  for (const line of sums.split("\n")) {
    const match = /^([0-9a-fA-F]{64}) [ *]?(.+?)\s*$/.exec(line);
    if (match?.[2] === name || match?.[2] === `*${name}`) return match[1]?.toLowerCase();
  }
  return undefined;
}

export const sha256Hex = (bytes: Uint8Array<ArrayBuffer>): string => new Bun.CryptoHasher("sha256").update(bytes).digest("hex");

/** Refuses unless SHA256SUMS lists `name` with the hash of `bytes`. */
export function verifyChecksum(sums: string, name: string, bytes: Uint8Array<ArrayBuffer>): void {
  const expected = expectedChecksum(sums, name);
  if (expected === undefined) throw new ReleaseError(`SHA256SUMS has no entry for ${name}; refusing to install it`);
  const actual = sha256Hex(bytes);
  if (actual !== expected) {
    throw new ReleaseError(`checksum mismatch for ${name} (expected ${expected}, got ${actual}); refusing to install it`);
  }
}

/** The contents of the regular file `name` in a .tar.gz (ustar or GNU headers, as scripts/build.ts writes them). */
export function extractFromTarGz(archive: Uint8Array<ArrayBuffer>, name: string): Uint8Array | undefined {
  const tar = (() => {
    try {
      return Bun.gunzipSync(archive);
    } catch {
      return undefined;
    }
  })();
  if (tar === undefined) return undefined;
  const text = (from: number, length: number) => new TextDecoder().decode(tar.subarray(from, from + length)).replace(/\0.*$/s, "");
  let longName: string | undefined;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = text(offset, 100);
    if (header === "") return undefined; // the two zero blocks at the end
    const size = Number.parseInt(text(offset + 124, 12).trim() || "0", 8);
    const type = text(offset + 156, 1);
    const prefix = text(offset + 257, 6) === "ustar" ? text(offset + 345, 155) : "";
    const body = offset + 512;
    const entry = longName ?? (prefix ? `${prefix}/${header}` : header);
    longName = undefined;
    if (type === "L") longName = text(body, size);
    else if ((type === "0" || type === "") && entry.replace(/^\.\//, "") === name) return tar.slice(body, body + size);
    offset = body + Math.ceil(size / 512) * 512;
  }
  return undefined;
}
