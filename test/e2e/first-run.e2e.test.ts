import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, requireBinary, startBinary } from "../support/binary.ts";

// Issue 17: what a newcomer tripped over, checked on the compiled binary as they would run it.

/** A fresh home; `cwd` is a project folder inside it (where an unrelated config.json may lie). */
function newcomer() {
  const home = mkdtempSync(join(tmpdir(), "maximize-first-run-"));
  const project = join(home, "project");
  mkdirSync(project);
  return { home, project, tokenFile: join(home, ".maximize", "tokens.json") };
}

function run(args: string[], cwd: string, env: Record<string, string>) {
  const result = Bun.spawnSync([requireBinary(), ...args], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdin: "ignore" });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

const ESC = "\u001b[";

describe("the config file (17.2)", () => {
  test("another project's ./config.json is skipped with one notice; status names the config in use", () => {
    const { home, project } = newcomer();
    writeFileSync(join(project, "config.json"), JSON.stringify({ name: "my-app", port: 3000, server: { port: 3000 } }));
    const result = run(["status"], project, { HOME: home, NO_COLOR: "1" });
    expect(result.stderr).toContain(`note: ignoring ${join(project, "config.json")}: it has keys maximize does not use (name, port)`);
    expect(result.stderr.split("\n").filter((line) => line.includes("ignoring"))).toHaveLength(1);
    expect(result.stdout).toMatch(/listen\s+http:\/\/127\.0\.0\.1:8081/);
    expect(result.stdout).toMatch(/config\s+none — built-in defaults/);
  });

  test("~/.maximize/config.json is read, and serve and status name it", async () => {
    const { home, project, tokenFile } = newcomer();
    const port = freePort();
    mkdirSync(join(home, ".maximize"), { recursive: true });
    const file = join(home, ".maximize", "config.json");
    writeFileSync(file, JSON.stringify({ server: { port } }));
    const status = run(["status"], project, { HOME: home, NO_COLOR: "1" });
    expect(status.stdout).toContain(`http://127.0.0.1:${port}`);
    expect(status.stdout).toMatch(new RegExp(`config\\s+${file.replaceAll("/", "\\/")}`));

    // startBinary sets MAXIMIZE_PORT, which wins over the file: only the log line is checked here.
    const server = await startBinary({ upstreamUrl: "http://127.0.0.1:9", tokenFile, home });
    server.child.kill("SIGTERM");
    await server.child.exited;
    expect(await new Response(server.child.stderr).text()).toContain(`config: ${file}`);
  });

  test("--config and MAXIMIZE_CONFIG expand ~", () => {
    const { home, project } = newcomer();
    writeFileSync(join(home, "mine.json"), JSON.stringify({ server: { port: 7345 } }));
    for (const [args, env] of [
      [["status", "--config", "~/mine.json"], {}],
      [["status"], { MAXIMIZE_CONFIG: "~/mine.json" }],
    ] as const) {
      const result = run([...args], project, { HOME: home, NO_COLOR: "1", ...env });
      expect(result.stdout).toContain("http://127.0.0.1:7345");
      expect(result.stderr).not.toContain("does not exist");
    }
  });
});

describe("the environment (17.8)", () => {
  test("un-prefixed PORT, LOG_LEVEL, BIND_ADDRESS, TOKEN_FILE and REQUEST_TIMEOUT from a dev shell change nothing", () => {
    const { home, project } = newcomer();
    const env = {
      HOME: home,
      NO_COLOR: "1",
      PORT: "3000",
      LOG_LEVEL: "trace",
      BIND_ADDRESS: "0.0.0.0",
      TOKEN_FILE: "/x",
      REQUEST_TIMEOUT: "-1",
    };
    const result = run(["status"], project, env);
    expect(result.stderr).not.toContain("error");
    expect(result.stdout).toMatch(/listen\s+http:\/\/127\.0\.0\.1:8081/);
    expect(result.stdout).toContain(join(home, ".maximize", "tokens.json"));
  });
});

describe("colour and the error prefix (17.13)", () => {
  const failing = (env: Record<string, string>) => {
    const { home, project } = newcomer();
    return run(["status"], project, { HOME: home, MAXIMIZE_PORT: "eighty", ...env });
  };

  test.each([
    ["FORCE_COLOR=0", { FORCE_COLOR: "0" }],
    ["FORCE_COLOR=false", { FORCE_COLOR: "false" }],
    ["NO_COLOR=1 with FORCE_COLOR=1", { NO_COLOR: "1", FORCE_COLOR: "1" }],
    ["not a terminal", {}],
  ])("%s: no colour; the error reads 'error: …'", (_name, env) => {
    const result = failing(env);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith("error: environment variable MAXIMIZE_PORT is");
    expect(result.stderr).not.toContain(ESC);
  });

  test("FORCE_COLOR=1 colours, even off a terminal", () => {
    const result = failing({ FORCE_COLOR: "1" });
    expect(result.stderr).toContain(`${ESC}31merror:`);
  });
});
