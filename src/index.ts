#!/usr/bin/env bun
import "./shared/color-env.ts"; // first: before any library reads the colour variables
import { accountsCommand } from "./cli/accounts.ts";
import { globalOptionsHelp, parseCommandLine, peekCommand, type OptionSpec } from "./cli/args.ts";
import type { Command, CommandContext } from "./cli/command.ts";
import { loginCommand } from "./cli/login.ts";
import { logoutCommand } from "./cli/logout.ts";
import { modelsCommand } from "./cli/models.ts";
import { refreshCommand } from "./cli/refresh.ts";
import { health, serve } from "./cli/serve.ts";
import { statusCommand } from "./cli/status.ts";
import { updateCommand } from "./cli/update.ts";
import { usageCommand } from "./cli/usage.ts";
import { EXIT, UsageError, isInteractive, printError, printNotice, stderrOutput, stdoutOutput } from "./cli/ui.ts";
import { loadConfig } from "./config/load.ts";
import { UserError } from "./shared/errors.ts";
import { VERSION } from "./shared/version.ts";

const COMMANDS: readonly Command[] = [
  serve,
  loginCommand,
  statusCommand,
  usageCommand,
  accountsCommand,
  modelsCommand,
  refreshCommand,
  logoutCommand,
  updateCommand,
  health,
];
const byName = new Map(COMMANDS.map((command) => [command.name, command]));
const ALL_OPTIONS: OptionSpec = Object.assign({}, ...COMMANDS.map((command) => command.options));

const GLOBAL_HELP = globalOptionsHelp();

const HELP = `maximize ${VERSION} — use your Claude subscription from any Anthropic or OpenAI client

Usage: maximize [command] [options]

Without a command: the interactive menu on a terminal, otherwise the same as \`maximize serve\`.

Commands:
${[...COMMANDS, { name: "help", summary: "help for a command: maximize help login" }].map((command) => `  ${command.name.padEnd(10)}${command.summary}`).join("\n")}

${GLOBAL_HELP}
Exit codes: 0 success, 1 failure, 2 usage error, 3 an update is available (update --check).
`;

const commandHelp = (command: Command) => `${command.help}\n${GLOBAL_HELP}`;

function findCommand(argv: string[]): Command | undefined {
  const name = peekCommand(argv, ALL_OPTIONS);
  if (name === undefined || name === "help") return undefined;
  const command = byName.get(name);
  if (command) return command;
  parseCommandLine(argv); // an unknown option is the clearer message, when there is one
  throw new UsageError(`maximize: unknown command "${name}". See maximize --help for the list.`);
}

async function main(argv: string[]): Promise<number> {
  const command = findCommand(argv);
  const args = parseCommandLine(argv, command?.options, command?.name);
  // `update --version X` takes a value; the bare flag prints the version.
  if (args.values.version === true) {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (args.command === "help") {
    const topic = args.positionals[0];
    const about = topic === undefined ? undefined : byName.get(topic);
    if (topic !== undefined && !about) throw new UsageError(`maximize help: no command "${topic}". See maximize --help for the list.`);
    process.stdout.write(about ? commandHelp(about) : HELP);
    return EXIT.ok;
  }
  if (args.values.help) {
    process.stdout.write(command ? commandHelp(command) : HELP);
    return EXIT.ok;
  }
  if (args.positionals.length > 0) {
    throw new UsageError(`maximize ${args.command}: unexpected argument "${args.positionals[0]}". See maximize ${args.command} --help.`);
  }
  const config = loadConfig({ flags: args.configFlags });
  for (const notice of config.notices) printNotice(notice);
  const ctx: CommandContext = {
    config,
    args,
    env: process.env,
    fetch: globalThis.fetch,
    now: Date.now,
    // Made on first use: touching stdin/stdout costs `serve` memory it never needs.
    get out() {
      return stdoutOutput();
    },
    get err() {
      return stderrOutput();
    },
    readStdin: () => Bun.stdin.text(),
    // Asked only by the commands that prompt: touching stdin/stdout costs `serve` memory it never needs.
    get interactive() {
      return isInteractive();
    },
  };
  if (command) return command.run(ctx);
  if (!ctx.interactive) return serve.run(ctx);
  // The menu and its prompt library load only when they are used (the same for the login wizard).
  const { menuCommand } = await import("./cli/menu.ts");
  return menuCommand(ctx);
}

/** The one place errors become exit codes: a UserError is one line on stderr; anything else is a bug and keeps its stack. */
function exitCodeFor(error: unknown): number {
  if (error instanceof UserError) {
    printError(error.message);
    return error instanceof UsageError ? EXIT.usage : EXIT.failure;
  }
  printError(`unexpected failure: ${(error as Error)?.stack ?? String(error)}`);
  return EXIT.failure;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(exitCodeFor(error)),
);
