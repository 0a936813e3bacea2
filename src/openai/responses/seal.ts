/**
 * A reasoning item's `encrypted_content`: the answer's signed thinking blocks, sealed (AES-256-GCM) so that the client
 * can carry them between turns (Codex sends `include: ["reasoning.encrypted_content"]` and returns the items) and
 * maximize restores exactly what Claude wrote. A forged or foreign value fails to open and is left out.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { ThinkingBlock } from "../thinking-cache.ts";
import { asThinkingBlock } from "../thinking-cache.ts";

const PREFIX = "mx1.";

export interface ReasoningSeal {
  seal(blocks: readonly ThinkingBlock[]): string;
  open(sealed: string): readonly ThinkingBlock[] | undefined;
}

/**
 * `key`: 32 bytes, kept across restarts (auth/secret-key.ts) so sealed items stay valid; a function is called on first
 * use (reading the key file is not worth doing at start-up for a server that may never see a reasoning item).
 */
export function createReasoningSeal(source: Uint8Array | (() => Uint8Array)): ReasoningSeal {
  let cached: Uint8Array | undefined;
  const keyOf = () => {
    cached ??= typeof source === "function" ? source() : source;
    if (cached.length !== 32) throw new Error("the reasoning key must be 32 bytes");
    return cached;
  };
  return {
    seal(blocks) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", keyOf(), iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(blocks), "utf8"), cipher.final()]);
      return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
    },
    open(sealed) {
      if (!sealed.startsWith(PREFIX)) return undefined;
      const bytes = Buffer.from(sealed.slice(PREFIX.length), "base64url");
      if (bytes.length < 12 + 16) return undefined;
      try {
        const decipher = createDecipheriv("aes-256-gcm", keyOf(), bytes.subarray(0, 12));
        decipher.setAuthTag(bytes.subarray(bytes.length - 16));
        const text = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString("utf8");
        const parsed: unknown = JSON.parse(text);
        if (!Array.isArray(parsed)) return undefined;
        const blocks = parsed.map((block) => asThinkingBlock(block as Record<string, unknown>));
        return blocks.every((block) => block !== undefined) ? (blocks as ThinkingBlock[]) : undefined;
      } catch {
        return undefined; // tampered, truncated, or sealed with another key
      }
    },
  };
}
