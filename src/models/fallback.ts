/**
 * The models maximize uses when Anthropic's catalogue cannot be fetched (not logged in yet, the API down, an old
 * API without `line`). Source: the lineup of @anthropic-ai/sdk 1.12.0 (2026-11-20) and the per-model "what's new"
 * pages (docs/PROTOCOL.md §4). Only the newest model of each line matters here; the live `/v1/models` answer always wins,
 * so this table may lag a release without harm — update it when a release retires one of these IDs.
 */
import type { Effort, ModelInfo } from "./info.ts";

const efforts = (...levels: Effort[]) => ({
  supported: true,
  ...Object.fromEntries(levels.map((level) => [level, { supported: true }])),
});
/** Adaptive thinking only (no `budget_tokens`); `alwaysOn` models also refuse `thinking: {type: "disabled"}`. */
const adaptiveOnly = (alwaysOn = false) => ({
  supported: true,
  types: { adaptive: { supported: true }, enabled: { supported: false }, disabled: { supported: !alwaysOn } },
});

export const FALLBACK_MODELS: readonly ModelInfo[] = [
  {
    id: "claude-haiku-5-5",
    line: "haiku",
    lifecycle: "active",
    created_at: "2026-10-07T00:00:00Z",
    capabilities: { thinking: adaptiveOnly(), effort: efforts("low", "medium", "high") },
  },
  {
    id: "claude-sonnet-5-5",
    line: "sonnet",
    lifecycle: "active",
    created_at: "2026-09-28T00:00:00Z",
    capabilities: { thinking: adaptiveOnly(), effort: efforts("low", "medium", "high", "xhigh") },
  },
  {
    id: "claude-opus-5-5",
    line: "opus",
    lifecycle: "active",
    created_at: "2026-09-22T00:00:00Z",
    capabilities: { thinking: adaptiveOnly(true), effort: efforts("low", "medium", "high", "xhigh", "max") },
  },
];
