import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { requireBinary } from "../support/binary.ts";
import { cliWorld, type CliWorld } from "./helpers.ts";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());

/** The compiled binary, as a user runs it: the usage messages are what its argument parser prints. */
function runBinary(world: CliWorld, args: string[]) {
  const result = Bun.spawnSync([requireBinary(), ...args], { cwd: world.dir, env: world.env, stdin: "ignore" });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

const COMMANDS = ["serve", "login", "status", "usage", "models", "refresh", "logout", "health"];

describe("usage errors from dist/maximize: our words, the command and its --help, exit 2", () => {
  test.each(COMMANDS)("maximize %s --bogus", (name) => {
    const result = runBinary(cliWorld(fake), [name, "--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: maximize ${name}: unknown option --bogus. See maximize ${name} --help.\n`);
  });

  test.each(COMMANDS)("maximize %s with an unexpected argument", (name) => {
    const result = runBinary(cliWorld(fake), [name, "extra"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: maximize ${name}: unexpected argument "extra". See maximize ${name} --help.\n`);
  });

  test.each<[string[], string]>([
    [["--bogus"], "maximize: unknown option --bogus. See maximize --help."],
    [["-x"], "maximize: unknown option -x. See maximize --help."],
    [["frobnicate"], 'maximize: unknown command "frobnicate". See maximize --help for the list.'],
    [["help", "frobnicate"], 'maximize help: no command "frobnicate". See maximize --help for the list.'],
    [["serve", "--port"], "maximize serve: --port needs a value. See maximize serve --help."],
    [["login", "--code"], "maximize login: --code needs a value. See maximize login --help."],
    [["status", "--json=yes"], 'maximize status: --json takes no value (got "--json=yes"). See maximize status --help.'],
    [["logout", "-yq"], "maximize logout: unknown option -q (in -yq). See maximize logout --help."],
  ])("maximize %p", (args, message) => {
    const result = runBinary(cliWorld(fake), args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: ${message}\n`);
    expect(result.stderr).not.toMatch(/positional argument|COMMAND|ERR_PARSE_ARGS/);
  });
});

describe("option values that start with -", () => {
  test("login --code -… is taken as the code (a pasted code may begin with -)", () => {
    const world = cliWorld(fake);
    expect(runBinary(world, ["login", "--print-url"]).code).toBe(0);
    const result = runBinary(world, ["login", "--code", "-abc#def"]);
    // Parsed and handed to the login: refused for its state, not as an unknown option.
    expect(result.stderr).not.toContain("unknown option");
    expect(result.stderr).toContain("does not match this login attempt");
    expect(result.code).toBe(1);
  });

  test("logout -y and --yes are the same", () => {
    const result = runBinary(cliWorld(fake), ["logout", "-y"]);
    expect(result.code).toBe(0);
  });
});
