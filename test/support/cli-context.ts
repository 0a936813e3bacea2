/**
 * A command's context in process: output collected, no colours, a temp home, every URL pointed where the test says.
 * `await command.run(ctx)` then runs in milliseconds, without spawning the CLI.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createColors } from "picocolors";
import { parseCommandLine, type OptionSpec } from "../../src/cli/args.ts";
import type { CommandContext, Output } from "../../src/cli/command.ts";
import { loadConfig } from "../../src/config/load.ts";

const collecting = () => {
  const chunks: string[] = [];
  const output: Output = { write: (text) => void chunks.push(text), colors: createColors(false) };
  return { output, text: () => chunks.join("") };
};

export function cliContext(argv: string[], options: OptionSpec, env: Record<string, string> = {}, stdin = "") {
  const home = mkdtempSync(join(tmpdir(), "maximize-cli-ctx-"));
  const fullEnv = { HOME: home, MAXIMIZE_TOKEN_FILE: join(home, "tokens.json"), ...env };
  const args = parseCommandLine(argv, options);
  const out = collecting();
  const err = collecting();
  const ctx: CommandContext = {
    config: loadConfig({ cwd: home, env: fullEnv, flags: args.configFlags }),
    args,
    env: fullEnv,
    fetch,
    now: Date.now,
    interactive: false,
    out: out.output,
    err: err.output,
    readStdin: async () => stdin,
  };
  return { ctx, stdout: out.text, stderr: err.text };
}
