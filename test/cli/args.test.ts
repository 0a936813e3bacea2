import { describe, expect, test } from "bun:test";
import { globalOptionsHelp, parseCommandLine, peekCommand } from "../../src/cli/args.ts";
import { UsageError } from "../../src/cli/ui.ts";
import { STRING_SETTINGS } from "../../src/config/schema.ts";

describe("parseCommandLine", () => {
  test.each<[string, string[], Record<string, string | undefined>]>([
    ["nothing", [], {}],
    ["a string flag", ["serve", "--port", "9000"], { port: "9000" }],
    ["a boolean flag becomes true", ["serve", "--allow-open"], { "allow-open": "true" }],
    ["--debug means log level debug", ["serve", "--debug", "--log-level", "warn"], { "log-level": "debug" }],
    ["--config", ["status", "--config", "/x.json"], { config: "/x.json" }],
  ])("%s", (_name, argv, expected) => {
    const flags = Object.fromEntries(Object.entries(parseCommandLine(argv).configFlags).filter(([, value]) => value !== undefined));
    expect(flags).toEqual(expected);
  });

  test("command and positionals, options anywhere", () => {
    const parsed = parseCommandLine(["--port", "1", "help", "login"]);
    expect([parsed.command, parsed.positionals]).toEqual(["help", ["login"]]);
  });

  test("an unknown option is a usage error that says where to look", () => {
    expect(() => parseCommandLine(["serve", "--prot", "1"])).toThrow(UsageError);
    expect(() => parseCommandLine(["serve", "--prot", "1"])).toThrow(/--help/);
  });

  test("a command's own options are accepted only when given", () => {
    expect(parseCommandLine(["status", "--json"], { json: { type: "boolean" } }).values.json).toBe(true);
    expect(() => parseCommandLine(["status", "--json"])).toThrow(UsageError);
  });
});

test("peekCommand finds the command even past option values, and never throws", () => {
  expect(peekCommand(["--port", "9000", "serve"], {})).toBe("serve");
  expect(peekCommand(["--whatever"], {})).toBeUndefined();
});

test("the help lists every setting that has a flag (one table for flags and help)", () => {
  const help = globalOptionsHelp();
  for (const setting of STRING_SETTINGS) if (setting.flag) expect(help).toContain(`--${setting.flag.name}`);
  expect(help).toContain("--config PATH");
  expect(help).toContain("-h, --help");
});
