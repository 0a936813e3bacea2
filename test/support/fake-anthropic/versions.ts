/**
 * What the two live anthropic-versions accept (docs/PROTOCOL.md §2, §4). Under 2026-10-21 (what the SDKs ≥ 1.0 send) the
 * sampling parameters are gone and two block shapes are refused; under 2023-06-01 (what Claude Code sends) only models
 * that dropped sampling refuse non-default values.
 */
import { fail } from "./errors.ts";
import type { JsonObject } from "./guards.ts";
import type { ModelRules } from "./models.ts";

export const VERSION_2026 = "2026-10-21";
const SAMPLING = ["temperature", "top_p", "top_k"] as const;
type Sampling = (typeof SAMPLING)[number];

/** Values that count as "not set": a model without sampling still accepts these under 2023-06-01. */
const DEFAULTS: Record<Sampling, number | undefined> = { temperature: 1, top_p: 1, top_k: undefined };

function checkRange(field: Sampling, value: unknown): void {
  if (field === "top_k") {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      fail("top_k: Input should be a valid integer greater than or equal to 0");
    }
    return;
  }
  if (typeof value !== "number") fail(`${field}: Input should be a valid number`);
  if (value < 0 || value > 1) fail(`${field}: Input should be between 0 and 1`);
}

export function checkSampling(body: JsonObject, version: string, rules: ModelRules): void {
  for (const field of SAMPLING) {
    if (!(field in body)) continue;
    if (version === VERSION_2026) {
      fail(`${field}: Extra inputs are not permitted. \`${field}\` was removed in anthropic-version ${VERSION_2026}.`);
    }
    const value = body[field];
    if (value === null) continue;
    checkRange(field, value);
    if (!rules.samplingParams && value !== DEFAULTS[field]) {
      fail(`\`${field}\` is deprecated for this model; only its default value is accepted.`);
    }
  }
}

interface Turn {
  role: string;
  content: JsonObject[];
}

/** 2026-10-21 refuses `document` blocks in assistant turns and `citations` on the user's own text blocks. */
export function checkVersionBlocks(messages: Turn[], version: string): void {
  if (version !== VERSION_2026) return;
  messages.forEach((message, i) => {
    message.content.forEach((block, j) => {
      const path = `messages.${i}.content.${j}`;
      if (message.role === "assistant" && block.type === "document") {
        fail(`${path}: \`document\` blocks are not accepted in \`assistant\` messages in anthropic-version ${VERSION_2026}.`);
      }
      const cites = block.citations !== undefined && block.citations !== null;
      if (message.role === "user" && block.type === "text" && cites) {
        fail(`${path}.citations: \`text\` blocks in \`user\` messages may not carry citations in anthropic-version ${VERSION_2026}.`);
      }
    });
  });
}
