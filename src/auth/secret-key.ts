import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { besideTokenFile, writeSecretFile } from "./store.ts";

/**
 * A random 32-byte key kept in a 0600 file beside the token file, created on first use: what seals reasoning items
 * handed to clients, so they stay valid across restarts. A file that cannot be read or written gives a key for this
 * process only (sealed items then expire with it), never an error.
 */
export function loadOrCreateKey(path: string, onProblem?: (message: string) => void): Uint8Array {
  try {
    const existing = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
    if (existing.length === 32) return existing;
  } catch {
    // absent or unreadable: make one below
  }
  const key = randomBytes(32);
  try {
    writeSecretFile(path, `${key.toString("base64")}\n`, besideTokenFile("the reasoning key"));
  } catch (error) {
    onProblem?.(`${(error as Error).message}; until then, reasoning items handed to clients will not survive a restart`);
  }
  return key;
}
