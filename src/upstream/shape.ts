/**
 * Request shaping for Anthropic upstream calls (docs/PROTOCOL.md §2): the Claude Code identity block and betas.
 * Pure functions; every body field not named here passes through untouched. (Nicknames: src/models/.)
 */

export const CLAUDE_CODE_IDENTITY = "You are Claude Code, Anthropic's official CLI for Claude.";

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

/** The body sent upstream: for subscription credentials, with the identity block in place. */
export function shapeBody(body: Record<string, unknown>, options: { oauth: boolean }): Record<string, unknown> {
  return options.oauth ? { ...body, system: withIdentity(body.system) } : body;
}
