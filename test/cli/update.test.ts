import { describe, expect, test } from "bun:test";
import { downloadBase, type Installation, refusal } from "../../src/cli/update.ts";

const at = (binary: string, overrides: Partial<Installation> = {}): Installation => ({
  binary,
  compiled: true,
  platform: "linux",
  env: {},
  ...overrides,
});

describe("refusal: when the binary must not replace itself", () => {
  test.each([
    ["/home/me/.maximize/bin/maximize"],
    ["/home/me/.local/bin/maximize"],
    ["/usr/local/bin/maximize"],
    ["/opt/maximize/maximize"],
  ])("%s may update itself", (binary) => {
    expect(refusal(at(binary))).toBeUndefined();
  });

  test.each([
    ["/usr/bin/maximize", "your system's package manager"],
    ["/bin/maximize", "your system's package manager"],
    ["/opt/homebrew/Cellar/maximize/0.1.0/bin/maximize", "Homebrew (brew upgrade maximize)"],
    ["/usr/local/Cellar/maximize/0.1.0/bin/maximize", "Homebrew"],
    ["/home/me/project/node_modules/maximize/bin/maximize", "npm"],
    ["/nix/store/abc-maximize-0.1.0/bin/maximize", "Nix"],
    ["/snap/maximize/12/bin/maximize", "snap (snap refresh maximize)"],
  ])("%s was installed by a package manager: %s", (binary, how) => {
    expect(refusal(at(binary))).toContain(`${binary} was installed by a package manager: update it with ${how}`);
  });

  test("the container image (MAXIMIZE_IN_CONTAINER=1, set by the Dockerfile) says to pull the image", () => {
    expect(refusal(at("/usr/local/bin/maximize", { env: { MAXIMIZE_IN_CONTAINER: "1" } }))).toContain("pull the newer image");
  });

  test("running from source (the executable is Bun) says to use git", () => {
    expect(refusal(at("/usr/local/bin/bun", { compiled: false }))).toContain("git pull");
  });
});

describe("downloadBase: where releases may come from", () => {
  test.each([
    ["https://mirror.example/releases/", "https://mirror.example/releases"],
    ["http://127.0.0.1:8080/releases", "http://127.0.0.1:8080/releases"],
    ["http://localhost:9/r", "http://localhost:9/r"],
  ])("%s is accepted", (base, expected) => {
    expect(downloadBase({ MAXIMIZE_DOWNLOAD_BASE: base })).toBe(expected);
  });

  test.each([
    ["http://mirror.example/releases", /must be an https:\/\/ address \(plain http only for this machine\)/],
    ["ftp://mirror.example/r", /must be an https:\/\/ address/],
    ["not a url", /is not a URL/],
  ])("%s is refused", (base, message) => {
    expect(() => downloadBase({ MAXIMIZE_DOWNLOAD_BASE: base })).toThrow(message);
  });
});
