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

  const LOGIN = { code: { type: "string" }, yes: { type: "boolean", short: "y" }, "no-browser": { type: "boolean" } } as const;

  // Our own words, naming the command and its help; never node's parseArgs text or a literal "COMMAND".
  test.each<[string, string[], string | undefined, string]>([
    ["unknown long option", ["login", "--foo"], "login", "maximize login: unknown option --foo. See maximize login --help."],
    ["unknown option with a value", ["login", "--foo=1"], "login", "maximize login: unknown option --foo. See maximize login --help."],
    ["unknown short option", ["login", "-x"], "login", "maximize login: unknown option -x. See maximize login --help."],
    ["unknown letter in a group", ["login", "-yq"], "login", "maximize login: unknown option -q (in -yq). See maximize login --help."],
    ["a string option at the end", ["login", "--code"], "login", "maximize login: --code needs a value. See maximize login --help."],
    [
      "a known option where the value should be",
      ["login", "--code", "--yes"],
      "login",
      "maximize login: --code needs a value. See maximize login --help.",
    ],
    [
      "a value for a boolean",
      ["login", "--no-browser=yes"],
      "login",
      'maximize login: --no-browser takes no value (got "--no-browser=yes"). See maximize login --help.',
    ],
    ["no command", ["--foo"], undefined, "maximize: unknown option --foo. See maximize --help."],
  ])("%s", (_name, argv, command, message) => {
    expect(() => parseCommandLine(argv, LOGIN, command)).toThrow(new UsageError(message));
  });

  test.each<[string, string[], Record<string, string | boolean>, string[]]>([
    ["a value that starts with -", ["login", "--code", "-abc#xyz"], { code: "-abc#xyz" }, []],
    ["a value that is only -", ["login", "--code", "-"], { code: "-" }, []],
    ["a value that looks like an unknown option", ["login", "--code", "--zz"], { code: "--zz" }, []],
    ["--name=value", ["login", "--code=-a=b"], { code: "-a=b" }, []],
    ["an empty value", ["login", "--code="], { code: "" }, []],
    ["a short boolean", ["login", "-y"], { yes: true }, []],
    ["grouped short booleans", ["login", "-yh"], { yes: true, help: true }, []],
    ["-- ends the options", ["help", "--", "--yes"], {}, ["--yes"]],
    ["a lone - is an argument", ["help", "-"], {}, ["-"]],
  ])("%s", (_name, argv, values, positionals) => {
    const parsed = parseCommandLine(argv, LOGIN, argv[0]);
    expect(Object.fromEntries(Object.entries(parsed.values).filter(([, value]) => value !== undefined))).toEqual(values);
    expect(parsed.positionals).toEqual(positionals);
  });

  test("a setting's value may start with - too (the config then judges it)", () => {
    expect(parseCommandLine(["serve", "--port", "-1"]).configFlags.port).toBe("-1");
  });

  test("a command's own options are accepted only when given", () => {
    expect(parseCommandLine(["status", "--json"], { json: { type: "boolean" } }).values.json).toBe(true);
    expect(() => parseCommandLine(["status", "--json"])).toThrow(UsageError);
  });

  test("a string option with an optional value: the next argument, else true (at the end or before a known option)", () => {
    const options = { "api-key": { type: "string", optionalValue: true }, account: { type: "string" } } as const;
    const values = (argv: string[]) => parseCommandLine(argv, options, "login").values;
    expect(values(["login", "--api-key", "sk-1"])["api-key"]).toBe("sk-1");
    expect(values(["login", "--api-key", "-"])["api-key"]).toBe("-");
    expect(values(["login", "--api-key"])["api-key"]).toBe(true);
    expect(values(["login", "--api-key", "--account", "x"])).toMatchObject({ "api-key": true, account: "x" });
    expect(() => parseCommandLine(["login", "--account"], options, "login")).toThrow("--account needs a value");
  });
});

test("peekCommand finds the command even past option values, and never throws", () => {
  expect(peekCommand(["--port", "9000", "serve"], {})).toBe("serve");
  expect(peekCommand(["--whatever"], {})).toBeUndefined();
  expect(peekCommand(["--code", "-abc", "login"], { code: { type: "string" } })).toBe("login");
  expect(peekCommand(["--code"], { code: { type: "string" } })).toBeUndefined();
});

test("the help lists every setting that has a flag (one table for flags and help)", () => {
  const help = globalOptionsHelp();
  for (const setting of STRING_SETTINGS) if (setting.flag) expect(help).toContain(`--${setting.flag.name}`);
  expect(help).toContain("--config PATH");
  expect(help).toContain("-h, --help");
});
