/**
 * A token directory maximize cannot use, through the compiled binary: every command says which file, why in plain
 * words and what to do — never "unexpected failure" and a minified stack.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBinary } from "../support/binary.ts";
import { cliWorld, type CliResult, type CliWorld } from "./helpers.ts";

const TOKEN = `sk-ant-oat01-${"a".repeat(40)}`;

async function runBinary(world: CliWorld, args: string[], prefix: string[] = []): Promise<CliResult> {
  const child = Bun.spawn([...prefix, requireBinary(), ...args], {
    cwd: world.dir,
    env: world.env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** A world whose token file lies under `blocker`, a regular file: ENOTDIR whoever runs the test (root included). */
function throughAFile(): { world: CliWorld; blocker: string } {
  const world = cliWorld(undefined);
  const blocker = join(world.dir, "state");
  writeFileSync(blocker, "I am a file\n");
  return { world, blocker };
}

const expectPlain = (text: string) => {
  expect(text).not.toContain("unexpected failure");
  expect(text).not.toMatch(/^\s+at /m); // no stack
  expect(text).not.toContain(TOKEN);
};

describe("a token file under a regular file (ENOTDIR)", () => {
  test("`login --token`: exit 1 naming the file, the reason and the way out", async () => {
    const { world, blocker } = throughAFile();
    const result = await runBinary(world, ["login", "--token", TOKEN]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot write the token file ${world.tokenFile}`);
    expect(result.stderr).toContain("a part of the path is a file, not a directory (ENOTDIR)");
    expect(result.stderr).toContain(`${blocker} is a file, not a directory`);
    expect(result.stderr).toContain("set MAXIMIZE_TOKEN_FILE");
    expectPlain(result.stderr);
  });

  test("`login --print-url`: the pending login cannot be kept, said the same way", async () => {
    const { world } = throughAFile();
    const result = await runBinary(world, ["login", "--print-url"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot write the pending login ${join(world.dir, "state", "login-pending.json")}`);
    expect(result.stderr).toContain("(ENOTDIR)");
    expectPlain(result.stderr);
  });

  test("`status` names the problem; `logout` finds nothing to delete", async () => {
    const { world } = throughAFile();
    const status = await runBinary(world, ["status"]);
    expect(`${status.stdout}${status.stderr}`).toContain(`cannot read the token file ${world.tokenFile}`);
    expectPlain(`${status.stdout}${status.stderr}`);
    const logout = await runBinary(world, ["logout", "--yes"]);
    expect(logout.code).toBe(0);
    expect(logout.stdout).toContain("not logged in");
    expectPlain(logout.stderr);
  });

  test("`refresh`: exit 1 in plain words", async () => {
    const { world } = throughAFile();
    const result = await runBinary(world, ["refresh"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot read the token file ${world.tokenFile}`);
    expectPlain(result.stderr);
  });
});

// chmod does not stop root: as root the case runs as "nobody" through util-linux's setpriv, or is skipped, saying so.
const isRoot = process.getuid?.() === 0;
const setpriv = Bun.which("setpriv");
const asNobody = isRoot && setpriv ? [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
// "nobody" must be able to run the binary where it lies (a checkout under a private home may not allow it).
const nobodyCanRun = !isRoot || (setpriv !== null && Bun.spawnSync([...asNobody, "test", "-x", requireBinary()]).exitCode === 0);
const skip = process.platform === "win32" || !nobodyCanRun;
if (skip)
  console.warn(
    "file-errors.e2e: running as root and cannot run the binary as another user, so the permission-denied case is skipped (root ignores chmod)",
  );
describe.skipIf(skip)("a token directory this user may not write (EACCES)", () => {
  test("`login --token`: permission denied, and the uid to grant it to", async () => {
    const world = cliWorld(undefined);
    chmodSync(world.dir, 0o755); // "nobody" must reach it
    const dir = join(world.dir, "state");
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    const uid = isRoot ? 65534 : process.getuid?.();
    try {
      const result = await runBinary(world, ["login", "--token", TOKEN], asNobody);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("permission denied (EACCES)");
      expect(result.stderr).toContain(`make ${dir} writable by uid ${uid}`);
      expectPlain(result.stderr);
      expect(existsSync(world.tokenFile)).toBe(false);
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});
