/** Built-in defaults. Everything that has drifted over time upstream is overridable in config. */

export const CLAUDE_CODE_CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";

export const DEFAULT_NICKNAMES: Readonly<Record<string, string>> = {
  xs: "claude-3-5-haiku-20241022",
  s: "claude-3-5-sonnet-20241022",
  m: "claude-3-7-sonnet-20250219",
  l: "claude-sonnet-4-20250514",
  xl: "claude-opus-4-20250514",
  xxl: "claude-opus-4-1-20250805",
};

export const DEFAULT_OAUTH = {
  authorize_url: "https://claude.ai/oauth/authorize",
  token_url: "https://platform.claude.com/v1/oauth/token",
  redirect_uri: "https://platform.claude.com/oauth/code/callback",
  client_id: CLAUDE_CODE_CLIENT_ID,
  scopes: "org:create_api_key user:profile user:inference",
} as const;
