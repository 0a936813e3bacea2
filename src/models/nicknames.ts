/**
 * Model nicknames: the seed's size scale `xs s m l xl xxl`, each a model line plus an optional effort
 * (docs/PROTOCOL.md §4). A size names no model ID, so it follows Anthropic's releases: the newest active model of the
 * line in the live catalogue. Config may pin a nickname to an exact ID, another line and/or an effort, or add names.
 */
import type { NicknameConfig } from "../config/schema.ts";
import type { Effort } from "./info.ts";

export interface NicknameDefinition {
  /** An exact model ID: used as is, whatever the catalogue says. */
  model?: string;
  /** A model line (`haiku`, `sonnet`, `opus`, `fable`, …): the newest active model of it. */
  line?: string;
  /** Sent as `output_config.effort` unless the client set one; "highest" = the top level the model lists. */
  effort?: Effort | "highest";
}

/**
 * The built-in sizes. `l` (the default for requests that name no model) and `xl` leave effort to the model's own
 * default (high); the small sizes trade depth for speed and cost, `xxl` asks for all the model offers.
 */
export const BUILTIN_NICKNAMES: Readonly<Record<string, NicknameDefinition>> = {
  xs: { line: "haiku", effort: "low" },
  s: { line: "sonnet", effort: "low" },
  m: { line: "sonnet", effort: "medium" },
  l: { line: "sonnet" },
  xl: { line: "opus" },
  xxl: { line: "opus", effort: "highest" },
};

/**
 * The nickname table in force: the built-in sizes with config merged over them. A config string is exactly that
 * model, nothing added (an earlier maximize's format); an object is merged field by field, so `{ "xxl": { "line":
 * "fable" } }` keeps xxl's effort, `{ "l": { "model": "claude-opus-4-8" } }` drops the line, and `"effort":
 * "default"` drops the size's effort (the model's own default applies).
 */
export function nicknameTable(config: Readonly<Record<string, NicknameConfig>>): Record<string, NicknameDefinition> {
  const table: Record<string, NicknameDefinition> = { ...BUILTIN_NICKNAMES };
  for (const [name, value] of Object.entries(config)) {
    if (typeof value === "string") {
      table[name] = { model: value };
      continue;
    }
    const base = table[name] ?? {};
    const { effort: ownEffort, ...own } = value;
    const rest = own.model !== undefined ? { model: own.model } : { ...withoutEffort(base), ...own };
    const effort = ownEffort ?? base.effort;
    table[name] = effort === undefined || effort === "default" ? rest : { ...rest, effort };
  }
  return table;
}

const withoutEffort = ({ effort: _effort, ...rest }: NicknameDefinition): NicknameDefinition => rest;
