/** Human wording for durations and accounts, shared by status, login and the menu. */

/** "7h 59m", "3d 4h", "45s". */
export function humanDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m`;
  return `${s}s`;
}

/** What a token without recorded expiry and refresh token is: `claude setup-token` makes one-year tokens (docs/PROTOCOL.md §1). */
const LONG_LIVED = "a token from `claude setup-token` lasts a year from when it was made";

/**
 * The value after an "expires" label: "in 7h 59m", "expired 3m ago", or "unknown" when no expiry was recorded (a
 * long-lived token gets a word on how long those last).
 */
export function describeExpiry(expiresAt: number | null | undefined, nowMs: number, refreshable = false): string {
  if (expiresAt == null) return refreshable ? "unknown (not recorded)" : `unknown — ${LONG_LIVED}`;
  const left = expiresAt - nowMs / 1000;
  return left > 0 ? `in ${humanDuration(left)}` : `expired ${humanDuration(-left)} ago`;
}

/** The same as a phrase after "token": "expires in 7h 59m", "expired 3m ago", "has no recorded expiry (…)". */
export function tokenExpiry(expiresAt: number | null | undefined, nowMs: number, refreshable = false): string {
  if (expiresAt == null) return refreshable ? "has no recorded expiry" : `has no recorded expiry (${LONG_LIVED})`;
  const left = expiresAt - nowMs / 1000;
  return left > 0 ? `expires in ${humanDuration(left)}` : `expired ${humanDuration(-left)} ago`;
}

const field = (value: unknown, key: string): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined;
  const inner = (value as Record<string, unknown>)[key];
  return typeof inner === "string" && inner !== "" ? inner : undefined;
};

/** The account e-mail and organization name stored with a login, if the token endpoint returned them. */
export function accountOf(tokens: { account?: unknown; organization?: unknown }): { email?: string; organization?: string } {
  return { email: field(tokens.account, "email_address"), organization: field(tokens.organization, "name") };
}

export function describeAccount(tokens: { account?: unknown; organization?: unknown }): string | undefined {
  const { email, organization } = accountOf(tokens);
  if (email && organization) return `${email} (${organization})`;
  return email ?? organization;
}

/** Words into lines of at most `width` columns (a longer word gets a line of its own), for text a frame would otherwise break mid-phrase. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
