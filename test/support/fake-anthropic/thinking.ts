/**
 * Thinking: which `thinking` configurations a model accepts, the signatures that bind a thinking block to its text,
 * and the rule that a tool loop must send the assistant turn's thinking back (docs/PROTOCOL.md §4).
 */
import { fail } from "./errors.ts";
import { isRecord, type JsonObject } from "./guards.ts";
import type { ModelRules, ThinkingDisplay } from "./models.ts";
import { sha256 } from "./random.ts";

/** What the request asked for, resolved against the model (an omitted `thinking` on an always-thinking model is adaptive). */
export type ThinkingMode = { type: "off" } | { type: "between_tools" } | { type: "adaptive" | "enabled"; display: ThinkingDisplay };

export const thinks = (mode: ThinkingMode): mode is Extract<ThinkingMode, { display: ThinkingDisplay }> =>
  mode.type === "adaptive" || mode.type === "enabled";

const TYPES = "'adaptive', 'enabled', 'disabled' or 'between_tools'";
const ALLOWED_KEYS: Record<string, string[]> = {
  adaptive: ["type", "display"],
  enabled: ["type", "budget_tokens", "display"],
  disabled: ["type"],
  between_tools: ["type"],
};

/** The 400 the API gives a model that does not take this thinking type; the advice says what it takes instead. */
const REFUSALS: Record<string, string> = {
  enabled:
    "`thinking.type.enabled` is not supported for this model. Use `thinking.type.adaptive` and `output_config.effort` to control thinking behavior.",
  disabled: "`thinking.type.disabled` is not supported for this model: it always thinks. Omit `thinking` or use `thinking.type.adaptive`.",
  adaptive: "`thinking.type.adaptive` is not supported for this model.",
  between_tools: "`thinking.type.between_tools` is not supported for this model.",
};

function accepts(rules: ModelRules, type: string): boolean {
  if (type === "enabled") return rules.budgetThinking;
  if (type === "disabled") return rules.disabledThinking;
  if (type === "adaptive") return rules.adaptiveThinking;
  return rules.betweenToolsThinking;
}

export function parseThinking(value: unknown, rules: ModelRules, maxTokens: number | undefined): ThinkingMode {
  if (value === undefined || value === null) {
    return rules.disabledThinking ? { type: "off" } : { type: "adaptive", display: rules.thinkingDisplay };
  }
  if (!isRecord(value)) fail("thinking: Input should be a valid dictionary");
  const type = value.type;
  if (typeof type !== "string" || !(type in ALLOWED_KEYS)) fail(`thinking.type: Input should be ${TYPES}`);
  for (const key of Object.keys(value)) {
    if (!ALLOWED_KEYS[type]?.includes(key)) fail(`thinking.${type}.${key}: Extra inputs are not permitted`);
  }
  if (!accepts(rules, type)) fail(REFUSALS[type] ?? `thinking.type: ${type} is not supported for this model.`);
  if (type === "disabled") return { type: "off" };
  if (type === "between_tools") return { type: "between_tools" };
  const display = parseDisplay(value.display, type, rules.thinkingDisplay);
  if (type === "enabled") checkBudget(value, maxTokens);
  return { type: type === "enabled" ? "enabled" : "adaptive", display };
}

function parseDisplay(value: unknown, type: string, fallback: ThinkingDisplay): ThinkingDisplay {
  if (value === undefined || value === null) return fallback;
  if (value !== "summarized" && value !== "omitted") {
    fail(`thinking.${type}.display: Input should be 'summarized' or 'omitted'`);
  }
  return value;
}

function checkBudget(value: JsonObject, maxTokens: number | undefined): void {
  const budget = value.budget_tokens;
  if (typeof budget !== "number" || !Number.isInteger(budget)) fail("thinking.enabled.budget_tokens: Field required");
  if (budget < 1024) fail("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
  if (maxTokens !== undefined && budget >= maxTokens) fail("`max_tokens` must be greater than `thinking.budget_tokens`.");
}

// ---------- signatures ----------

const SIGNATURE_PREFIX = "EqQB";
/** Fixed, so a conversation may continue on another fake instance (the real API's signatures outlive a connection). */
const SIGNING_KEY = "fake-anthropic/thinking-signature/v1";

const mac = (fullTextHash: string, shown: string) => sha256(`${SIGNING_KEY}\n${fullTextHash}\n${shown}`, "hex");

/**
 * An opaque-looking signature that binds the thinking text as returned: the full text's hash plus a MAC over that
 * hash and the shown text. An omitted display shows "" and still gets a signature for multi-turn continuity.
 */
export function signThinking(fullText: string, display: ThinkingDisplay = "summarized"): string {
  const hash = sha256(fullText, "hex");
  const shown = display === "omitted" ? "" : fullText;
  return SIGNATURE_PREFIX + Buffer.from(hash + mac(hash, shown), "hex").toString("base64");
}

/** A thinking block as the API would return it for this text. */
export function thinkingBlock(fullText: string, display: ThinkingDisplay = "summarized") {
  const thinking = display === "omitted" ? "" : fullText;
  return { type: "thinking" as const, thinking, signature: signThinking(fullText, display) };
}

export function validSignature(shown: string, signature: string): boolean {
  if (!signature.startsWith(SIGNATURE_PREFIX)) return false;
  const bytes = Buffer.from(signature.slice(SIGNATURE_PREFIX.length), "base64");
  if (bytes.length !== 64) return false;
  const hex = bytes.toString("hex");
  return mac(hex.slice(0, 64), shown) === hex.slice(64);
}

/** A thinking block sent back must carry the signature the API gave it for exactly this text. */
export function checkThinkingBlock(block: JsonObject, path: string): void {
  if (typeof block.thinking !== "string") fail(`${path}.thinking: Field required`);
  if (typeof block.signature !== "string") fail(`${path}.signature: Field required`);
  if (!validSignature(block.thinking, block.signature)) fail(`${path}: Invalid \`signature\` in \`thinking\` block`);
}

// ---------- binding to the conversation ----------

interface Turn {
  role: string;
  content: { type: string }[];
}

/**
 * With thinking on, the assistant turn that a trailing tool_result answers must start with its thinking block (the
 * real API's wording, typos included); earlier turns may drop theirs.
 */
export function checkThinkingBinding(messages: Turn[]): void {
  const last = messages.at(-1);
  const index = messages.length - 2;
  const assistant = messages[index];
  if (last?.role !== "user" || assistant?.role !== "assistant") return;
  if (!last.content.some((block) => block.type === "tool_result")) return;
  if (!assistant.content.some((block) => block.type === "tool_use")) return;
  const first = assistant.content[0]?.type;
  if (first === "thinking" || first === "redacted_thinking") return;
  fail(
    `messages.${index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first}\`. ` +
      "When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost " +
      "set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. " +
      "To avoid this requirement, disable `thinking`. Please consult our documentation at " +
      "https://docs.claude.com/en/docs/build-with-claude/extended-thinking",
  );
}
