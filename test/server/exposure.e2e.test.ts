import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, requireBinary, waitForHealthy } from "../support/binary.ts";

const home = mkdtempSync(join(tmpdir(), "maximize-exposure-"));
const run = (args: string[], env: Record<string, string> = {}) =>
  Bun.spawn([requireBinary(), ...args], {
    env: { HOME: home, PATH: process.env.PATH ?? "", MAXIMIZE_PORT: String(freePort()), ...env },
    stdout: "pipe",
    stderr: "pipe",
  });

describe("binding beyond loopback", () => {
  test("without proxy API keys: refused at start-up, with the risk and both ways forward explained", async () => {
    const child = run(["serve", "--bind", "0.0.0.0"]);
    expect(await child.exited).toBe(1);
    const stderr = await new Response(child.stderr).text();
    expect(stderr).toContain("refusing to listen on 0.0.0.0 without proxy API keys");
    expect(stderr).toContain("MAXIMIZE_API_KEYS");
    expect(stderr).toContain("--allow-open");
  });

  test.each([
    ["--allow-open", ["serve", "--bind", "0.0.0.0", "--allow-open"], {}, true],
    ["MAXIMIZE_ALLOW_OPEN=1", ["serve"], { MAXIMIZE_BIND_ADDRESS: "0.0.0.0", MAXIMIZE_ALLOW_OPEN: "1" }, true],
    ["with API keys", ["serve"], { MAXIMIZE_BIND_ADDRESS: "0.0.0.0", MAXIMIZE_API_KEYS: "a-long-proxy-key" }, false],
  ])("%s: starts; an explicit opt-in to no keys is said once, at info, not as a warning", async (_name, args, env, open) => {
    const port = freePort();
    const child = run(args as string[], { ...(env as Record<string, string>), MAXIMIZE_PORT: String(port) });
    try {
      await waitForHealthy(`http://127.0.0.1:${port}/healthz`);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await child.exited).toBe(0);
    const stderr = await new Response(child.stderr).text();
    const said = stderr.split("\n").filter((line) => line.includes("no proxy API key"));
    expect(said).toHaveLength(open ? 1 : 0);
    if (open) expect(said[0]).toMatch(/ INFO +listening on 0\.0\.0\.0 with no proxy API key, as allowed by allow_open/);
    // A warning at every start of the recommended setup would teach people to ignore warnings.
    expect(stderr.split("\n").filter((line) => / WARN /.test(line) && /allow_open|API key/.test(line))).toEqual([]);
    expect(stderr).not.toContain("a-long-proxy-key");
  });
});
