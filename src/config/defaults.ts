/** Built-in defaults. Everything that has drifted over time upstream is overridable in config. */

export const CLAUDE_CODE_CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";

/**
 * The betas every subscription (OAuth) request carries, merged with the client's own (config: api.oauth_betas).
 * Source: what Claude Code 2.1.332 (November 2026) sends on every model (docs/PROTOCOL.md §2). `oauth-2025-04-20` is
 * required (without it: 401 "OAuth authentication is currently not supported."); `claude-code-20250219` is left
 * off for Haiku models, as Claude Code does (src/upstream/headers.ts). Claude Code no longer sends
 * `fine-grained-tool-streaming-2025-05-14` (deprecated by the SDK changelog of 2026-11-16), so neither do we.
 * Model-specific betas (effort, context management, …) are the client's to send.
 */
export const DEFAULT_OAUTH_BETAS: readonly string[] = ["oauth-2025-04-20", "claude-code-20250219", "interleaved-thinking-2025-05-14"];

/** What Claude Code 2.1.332 (Nov 2026) uses for a Claude Pro/Max login. */
export const DEFAULT_OAUTH = {
  // The Claude Pro/Max login page. The older https://claude.ai/oauth/authorize shows a consent screen but rejects the
  // paste flow; https://platform.claude.com/oauth/authorize is the Console (API billing) login, not a subscription one.
  authorize_url: "https://claude.com/cai/oauth/authorize",
  token_url: "https://platform.claude.com/v1/oauth/token",
  redirect_uri: "https://platform.claude.com/oauth/code/callback",
  client_id: CLAUDE_CODE_CLIENT_ID,
  // Asked for at login. Refreshes ask for the `user:*` part of whatever is configured here (see refreshScope).
  scopes: "org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
} as const;
