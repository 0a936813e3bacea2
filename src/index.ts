#!/usr/bin/env bun
import { ConfigError, loadConfig } from "./config/load.ts";
import { parseCommandLine } from "./cli/args.ts";
import { healthCommand } from "./cli/health.ts";
import { serveCommand } from "./cli/serve.ts";
import { EXIT, UsageError, printError } from "./cli/ui.ts";
import { ServeError } from "./server/serve.ts";
import { VERSION } from "./version.ts";

const HELP = `maximize ${VERSION} — use your Claude subscription from any Anthropic or OpenAI client

Usage: maximize [command] [options]

Commands:
  serve            start the proxy (no prompts; for Docker/systemd)
  health           exit 0 if a local maximize answers /healthz

Options:
  --config PATH    config file (default ./config.json, or $MAXIMIZE_CONFIG)
  --port N         listen port (default 8081)
  --bind ADDRESS   listen address (default 127.0.0.1)
  --token-file P   token file (default ~/.maximize/tokens.json)
  --log-level L    debug, info, warn or error
  --allow-open     allow a non-loopback bind without proxy API keys
  --debug          same as --log-level debug
  -v, --version    print the version
  -h, --help       print this help
`;

async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine(argv);
  if (args.values.version) {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (args.values.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const command = args.command ?? "serve";
  const config = loadConfig({ flags: args.configFlags });
  switch (command) {
    case "serve":
      return serveCommand(config);
    case "health":
      return healthCommand(config);
    default:
      throw new UsageError(`unknown command "${command}" — run \`maximize --help\` for the list`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      printError(error.message);
      process.exit(EXIT.usage);
    }
    if (error instanceof ConfigError || error instanceof ServeError) {
      printError(error.message);
      process.exit(EXIT.failure);
    }
    printError(`unexpected failure: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(EXIT.failure);
  },
);
