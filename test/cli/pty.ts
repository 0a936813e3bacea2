import { CLI, watchOutput, type CliWorld } from "./helpers.ts";

/** Single-quotes a word for sh. */
const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** Drops colours and cursor movement, so assertions read what a person sees. */
// Terminal escape sequences are what these strip.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC … letter (CSI)
const CSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC ] … BEL (OSC)
const OSC = /\x1b\][^\x07]*\x07/g;
export const plain = (text: string) => text.replace(CSI, "").replace(OSC, "").replace(/\r/g, "");

export interface Pty {
  /** Everything the program drew so far, escape sequences removed. */
  screen(): string;
  /** Resolves when the plain output (from `after` on) matches; rejects if the program exits first. */
  waitFor(pattern: RegExp, after?: number): Promise<RegExpMatchArray>;
  /** Types into the terminal: "\r" is Enter, "\x03" is Ctrl-C, "\x1b[B" is arrow down. */
  type(keys: string): void;
  exited: Promise<number>;
  kill(): void;
}

/**
 * Runs `maximize ARGS` on a real pseudo-terminal via util-linux `script` (bsdutils, on every Debian), so
 * stdin/stdout are TTYs and clack draws its real prompts. The pty gets a fixed size, as a terminal would.
 * `program` is the source run by Bun unless given (e.g. the compiled binary); `columns` the terminal's width.
 */
export function startPty(world: CliWorld, args: string[], program: string[] = [process.execPath, CLI], columns = 200): Pty {
  const command = [`stty cols ${columns} rows 50;`, "exec", ...[...program, ...args].map(shellQuote)].join(" ");
  const child = Bun.spawn(["script", "-qfec", command, "/dev/null"], {
    cwd: world.dir,
    env: { ...world.env, TERM: "xterm-256color" },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const output = watchOutput(child, plain);
  return {
    screen: output.text,
    waitFor: output.waitFor,
    type: (keys) => {
      child.stdin.write(keys);
      child.stdin.flush();
    },
    exited: output.exited,
    kill: () => child.kill("SIGKILL"),
  };
}
