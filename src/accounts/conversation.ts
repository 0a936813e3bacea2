/**
 * What makes two requests the same conversation, so they go to the same account (its prompt cache is there):
 * Claude Code's session header, else the client's `metadata.user_id`, else the system prompt and first user message
 * (the part of a conversation that never changes as it grows). Undefined for requests that are no conversation.
 */
export function conversationKey(headers: Headers, body: Record<string, unknown> | undefined): string | undefined {
  const session = headers.get("x-claude-code-session-id");
  if (session) return `session:${session}`;
  if (!body || !Array.isArray(body.messages)) return undefined;
  const metadata = body.metadata as { user_id?: unknown } | undefined;
  if (typeof metadata?.user_id === "string" && metadata.user_id !== "") return `user:${metadata.user_id}`;
  const first = (body.messages as unknown[]).find((message) => (message as { role?: unknown } | null)?.role === "user");
  if (first === undefined) return undefined;
  return `start:${Bun.hash(JSON.stringify([body.system ?? null, first])).toString(36)}`;
}
