/**
 * Request shaping for Anthropic upstream calls (protocol.md §2): nicknames, the Claude Code identity block,
 * betas. Pure functions; every body field not named here passes through untouched.
 */

export const CLAUDE_CODE_IDENTITY = "You are Claude Code, Anthropic's official CLI for Claude.";

/** Betas a subscription (OAuth) request carries, as Claude Code sends them. */
export const OAUTH_BETAS = [
  "oauth-2025-04-20",
  "claude-code-20250219",
  "interleaved-thinking-2025-05-14",
  "fine-grained-tool-streaming-2025-05-14",
] as const;

export function resolveModel(model: unknown, nicknames: Readonly<Record<string, string>>, fallback: string): unknown {
  if (model === undefined || model === null || model === "") return nicknames[fallback] ?? fallback;
  if (typeof model !== "string") return model;
  return Object.hasOwn(nicknames, model) ? nicknames[model] : model;
}

type TextBlock = { type: "text"; text: string };
const identityBlock = (): TextBlock => ({ type: "text", text: CLAUDE_CODE_IDENTITY });

const isIdentity = (block: unknown) =>
  typeof block === "object" && block !== null && (block as TextBlock).type === "text" && (block as TextBlock).text === CLAUDE_CODE_IDENTITY;

/**
 * `system` with the Claude Code identity as its own first text block, exactly once and without cache_control.
 * A string system prompt becomes a second text block; an array gets the block prepended.
 */
export function withIdentity(system: unknown): unknown {
  if (system === undefined || system === null || system === "") return [identityBlock()];
  if (typeof system === "string") {
    if (system === CLAUDE_CODE_IDENTITY) return [identityBlock()];
    const rest = system.startsWith(CLAUDE_CODE_IDENTITY) ? system.slice(CLAUDE_CODE_IDENTITY.length).trimStart() : system;
    return rest ? [identityBlock(), { type: "text", text: rest }] : [identityBlock()];
  }
  if (!Array.isArray(system)) return system; // not ours to fix: upstream will explain what is wrong
  const first = system[0] as (TextBlock & Record<string, unknown>) | undefined;
  if (isIdentity(first) && Object.keys(first as object).length === 2) return system;
  // The identity with extra keys (cache_control) or elsewhere in the list: keep one clean copy first.
  return [identityBlock(), ...system.filter((block) => !isIdentity(block))];
}

/** Comma-separated beta lists merged, trimmed and deduplicated, in first-seen order. */
export function mergeBetas(...lists: (string | null | undefined | readonly string[])[]): string {
  const seen = new Set<string>();
  for (const list of lists) {
    if (!list) continue;
    const items = typeof list === "string" ? list.split(",") : list;
    for (const item of items) {
      const beta = item.trim();
      if (beta) seen.add(beta);
    }
  }
  return [...seen].join(",");
}

export interface ShapeOptions {
  oauth: boolean;
  nicknames: Readonly<Record<string, string>>;
  defaultModel: string;
}

/** The body sent upstream: nickname resolved and, for subscription credentials, the identity block in place. */
export function shapeBody(body: Record<string, unknown>, options: ShapeOptions): Record<string, unknown> {
  const shaped: Record<string, unknown> = { ...body, model: resolveModel(body.model, options.nicknames, options.defaultModel) };
  if (options.oauth) shaped.system = withIdentity(body.system);
  return shaped;
}
