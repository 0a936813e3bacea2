import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TokenFileError, createTokenStore } from "../../src/auth/store.ts";

const tempDir = () => mkdtempSync(join(tmpdir(), "maximize-store-"));
const tokens = { access_token: "sk-ant-oat01-a", refresh_token: "sk-ant-ort01-r", expires_at: 2_000_000_000 };

describe("token store", () => {
  test("reads the ported tool's file format unchanged, extra fields kept", () => {
    const path = join(tempDir(), "tokens.json");
    writeFileSync(path, JSON.stringify({ ...tokens, token_type: "Bearer", legacy_extra: 1 }));
    expect(createTokenStore(path).read()).toEqual({ ...tokens, token_type: "Bearer", legacy_extra: 1 } as never);
  });

  test("no file → undefined", () => {
    expect(createTokenStore(join(tempDir(), "none.json")).read()).toBeUndefined();
  });

  test("write creates the directory 0700 and the file 0600, atomically (no temp files left)", () => {
    const dir = join(tempDir(), "new", "dir");
    const path = join(dir, "tokens.json");
    const store = createTokenStore(path);
    store.write(tokens);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(tokens);
    expect(readdirSync(dir)).toEqual(["tokens.json"]);
  });

  test("rewriting a file that was 0644 leaves it 0600", () => {
    const path = join(tempDir(), "tokens.json");
    writeFileSync(path, JSON.stringify(tokens), { mode: 0o644 });
    createTokenStore(path).write({ ...tokens, access_token: "sk-ant-oat01-b" });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test.each<[string, (path: string) => void, RegExp]>([
    ["malformed JSON", (p) => writeFileSync(p, "{nope"), /is not valid JSON — fix it or run `maximize login`/],
    ["wrong types", (p) => writeFileSync(p, JSON.stringify({ access_token: 5 })), /access_token must be a string/],
    ["missing access token", (p) => writeFileSync(p, JSON.stringify({ refresh_token: "x" })), /access_token is required — fix it/],
    [
      "expires_at as text",
      (p) => writeFileSync(p, JSON.stringify({ access_token: "a", expires_at: "soon" })),
      /expires_at must be a unix time/,
    ],
    ["a directory", (p) => mkdirSync(p), /is a directory/],
    ["a symlink", (p) => symlinkSync("/etc/hostname", p), /symbolic link — refusing to follow it/],
  ])("hostile file: %s → clear error, file left alone", (_name, make, pattern) => {
    const path = join(tempDir(), "tokens.json");
    make(path);
    const before = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
    expect(() => createTokenStore(path).read()).toThrow(pattern);
    expect(() => createTokenStore(path).read()).toThrow(TokenFileError);
    expect(statSync(path, { throwIfNoEntry: false })?.mtimeMs).toBe(before);
  });

  test.skipIf(process.getuid?.() === 0)("unreadable file → clear error", () => {
    const path = join(tempDir(), "tokens.json");
    writeFileSync(path, JSON.stringify(tokens));
    chmodSync(path, 0o000);
    expect(() => createTokenStore(path).read()).toThrow(
      /cannot read token file .*: permission denied \(EACCES\) — make it readable by uid \d+/,
    );
  });

  test("remove reports whether there was a file", () => {
    const path = join(tempDir(), "tokens.json");
    const store = createTokenStore(path);
    expect(store.remove()).toBe(false);
    store.write(tokens);
    expect(store.remove()).toBe(true);
    expect(store.read()).toBeUndefined();
  });
});
