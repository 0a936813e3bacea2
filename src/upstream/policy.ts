/**
 * Anthropic's policy, plan and version refusals (docs/PROTOCOL.md §2/§3) explained in one log line each. The client gets
 * the upstream answer unchanged (status, type, message, error.details); this only tells the person running maximize
 * what happened and what they can do. README "Troubleshooting" has the same list.
 */
import { windowLabel } from "../shared/window-labels.ts";

interface Refusal {
  /** Matches `error.details.error_code`, or the message when the API gives no code. */
  code?: string;
  message?: RegExp;
  explain: string;
}

export const REFUSALS: readonly Refusal[] = [
  {
    code: "claude_code_version_too_old",
    explain:
      "Anthropic requires a newer Claude Code for this model or organization — update Claude Code (`claude update`) if it is the client; if you set api.user_agent to a claude-cli version, raise or remove it",
  },
  {
    message: /only authorized for use with Claude Code/i,
    explain:
      "the subscription login was refused for this request (Anthropic limits it to Claude Code-shaped requests) — update maximize, or use an Anthropic API key (MAXIMIZE_ANTHROPIC_API_KEY)",
  },
  {
    message: /Third-party apps now draw from your extra usage/i,
    explain:
      "Anthropic counts this traffic as a third-party app: it is billed to the account's extra usage, not the plan — turn extra usage on (claude.ai → Settings → Usage) to continue, or use Claude Code itself",
  },
  {
    code: "credits_required",
    explain:
      "this request needs usage credits the account does not have (e.g. a top-tier model or feature outside the plan) — add credits or extra usage on claude.ai, or pick another model",
  },
  {
    message: /Extra usage is required for long context/i,
    explain:
      "a long-context request on a plan needs extra usage turned on — shorten the conversation (or compact it) or enable extra usage on claude.ai",
  },
];

interface ErrorBody {
  error?: { type?: string; message?: string; details?: { error_code?: string } };
}

function parse(bytes: Uint8Array): ErrorBody | undefined {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as ErrorBody;
  } catch {
    return undefined;
  }
}

/** The explanation for an upstream error answer, or undefined when it is not a known refusal. */
export function explainUpstreamError(status: number, bytes: Uint8Array, headers?: Headers): string | undefined {
  const error = parse(bytes)?.error;
  const code = error?.details?.error_code;
  const message = error?.message ?? "";
  const known = REFUSALS.find((refusal) => (refusal.code !== undefined && refusal.code === code) || refusal.message?.test(message));
  if (known) return known.explain;
  if (status === 429 && headers?.get("anthropic-ratelimit-unified-status") === "rejected") {
    const claim = headers.get("anthropic-ratelimit-unified-representative-claim") ?? "plan";
    const reset = Number(headers.get("anthropic-ratelimit-unified-reset"));
    const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : "";
    return `the subscription's ${windowLabel(claim)} limit is used up${when} — wait for the reset, or add another account or extra usage`;
  }
  return code ? `Anthropic refused the request with error code ${code}` : undefined;
}

/** Logs the explanation of an upstream refusal, if it is one. Called for error answers only. */
export function explainRefusal(
  status: number,
  bytes: Uint8Array,
  headers: Headers,
  log: { warn(message: string): void } | undefined,
): void {
  const explanation = explainUpstreamError(status, bytes, headers);
  if (explanation) log?.warn(`upstream ${status}: ${explanation}`);
}
