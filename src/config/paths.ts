import { statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** The user's home directory, honouring $HOME (tests and containers point it elsewhere). */
export function homeDir(env: Record<string, string | undefined> = process.env): string {
  return env.HOME || env.USERPROFILE || homedir();
}

/** `~` and `~/x` become absolute paths under the home directory. */
export function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/") || path.startsWith("~\\")) return join(home, path.slice(2));
  return path;
}

const isDirectory = (path: string) => {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false; // not a usable directory (a part of the path is a file…): reading or writing the file says why
  }
};

/**
 * The token file path as the user meant it: `~` expanded, made absolute, and a directory (or a path
 * ending in a separator) gets `tokens.json` appended — the ported tool crashed with "Is a directory".
 */
export function resolveTokenFile(path: string, home: string, cwd: string): string {
  const expanded = resolve(cwd, expandHome(path, home));
  if (/[\\/]$/.test(path) || isDirectory(expanded)) return join(expanded, "tokens.json");
  return expanded;
}

export const defaultTokenFile = (home: string) => join(home, ".maximize", "tokens.json");

/** The per-user config file, read when no other is named. */
export const userConfigFile = (home: string) => join(home, ".maximize", "config.json");
