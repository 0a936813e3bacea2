import { expect, test } from "bun:test";
import type { AuthStatus } from "../../src/auth/tokens.ts";
import { loginSummary } from "../../src/cli/status.ts";

const base: AuthStatus = {
  logged_in: true,
  method: "oauth",
  token_file: "/t.json",
  expires_at: 1,
  expires_in_seconds: 3 * 3600,
  refreshable: true,
  account: "me@example.com",
};

// The menu's header: which login, and whether starting the proxy with it would work.
test.each<[string, Partial<AuthStatus>, string, boolean]>([
  ["a Claude login", {}, "Logged in as me@example.com (Claude subscription; token expires in 3h 0m)", true],
  ["no account recorded", { account: null }, "Logged in (Claude subscription; token expires in 3h 0m)", true],
  [
    "expired but refreshable",
    { expires_in_seconds: -60 },
    "Logged in as me@example.com (token expired; renewed on the first request)",
    true,
  ],
  ["expired for good", { expires_in_seconds: -120, refreshable: false }, "Login expired 2m ago", false],
  [
    "a long-lived token",
    { expires_at: null, expires_in_seconds: null, refreshable: false },
    "Logged in as me@example.com (long-lived token)",
    true,
  ],
  [
    "a login the token endpoint refused (marked dead)",
    { logged_in: false, error: "login expired or revoked — run `maximize login`" },
    "Login expired or revoked",
    false,
  ],
  [
    "a revoked long-lived token",
    { logged_in: false, expires_at: null, expires_in_seconds: null, refreshable: false, error: "login refused — the API answered 401" },
    "Login refused by the API (revoked?)",
    false,
  ],
  ["an API key", { method: "api_key", account: null }, "Using an Anthropic API key (MAXIMIZE_ANTHROPIC_API_KEY)", true],
  ["not logged in", { logged_in: false, method: "none" }, "Not logged in", false],
  [
    "an unusable token file",
    { logged_in: false, method: "none", error: "cannot read /t.json" },
    "Login unusable: cannot read /t.json",
    false,
  ],
])("loginSummary: %s", (_name, auth, text, working) => {
  expect(loginSummary({ ...base, ...auth })).toEqual({ text, working });
});
