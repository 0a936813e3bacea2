import { describe, expect, test } from "bun:test";
import { authorizeUrl, createPkce, parsePastedCode, s256 } from "../../src/auth/pkce.ts";
import { loadConfig } from "../../src/config/load.ts";
import { pkceChallenge } from "../support/fake-anthropic/oauth.ts";

const oauth = loadConfig({ env: {}, cwd: "/" }).oauth;

describe("PKCE", () => {
  test("verifier is 32 random bytes base64url, challenge is S256 of it, state is separate", () => {
    const pkce = createPkce();
    expect(pkce.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pkce.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pkce.challenge).toBe(pkceChallenge(pkce.verifier));
    expect(pkce.state).not.toBe(pkce.verifier);
    expect(pkce.state).not.toBe(pkce.challenge);
    expect(createPkce().verifier).not.toBe(pkce.verifier);
  });

  test("S256 matches an independent implementation (openssl dgst -sha256 | base64url)", () => {
    expect(s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r-wW1gFWFOEjXk")).toBe("NPsYzawS-__wqk67X9gyb4dr3JBo3hnlEi5MNyD5jX0");
  });

  test("refuses a random source that repeats itself instead of reusing the verifier as state", () => {
    expect(() => createPkce(() => new Uint8Array(32))).toThrow(/same bytes/);
  });

  test("authorize URL carries exactly the documented query", () => {
    const pkce = createPkce();
    const url = new URL(authorizeUrl(oauth, pkce));
    expect(`${url.origin}${url.pathname}`).toBe(oauth.authorize_url);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      code: "true",
      client_id: oauth.client_id,
      response_type: "code",
      redirect_uri: oauth.redirect_uri,
      scope: oauth.scopes,
      code_challenge: pkce.challenge,
      code_challenge_method: "S256",
      state: pkce.state,
    });
    expect(url.toString()).not.toContain(pkce.verifier);
  });

  test("with the defaults: Claude Code's Pro/Max login page and its six scopes, encoded as Claude Code encodes them", () => {
    const pkce = createPkce();
    const text = authorizeUrl(oauth, pkce);
    expect(text).toStartWith("https://claude.com/cai/oauth/authorize?code=true&client_id=9d1c250a-e61b-44d9-88ed-5944d1962f5e&");
    expect(new URL(text).searchParams.get("scope")).toBe(
      "org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
    );
    expect(text).toContain(
      "&scope=org%3Acreate_api_key+user%3Aprofile+user%3Ainference+user%3Asessions%3Aclaude_code+user%3Amcp_servers+user%3Afile_upload&",
    );
    expect(text).toContain("&redirect_uri=https%3A%2F%2Fplatform.claude.com%2Foauth%2Fcode%2Fcallback&");
    expect(text).not.toMatch(/\s/); // one piece: a wrapped URL turns into "Unknown scope" on the login page
  });
});

describe("what the user pastes", () => {
  const state = "expected-state";
  test.each([
    ["CODE#STATE", "abc123#expected-state", "abc123"],
    ["with spaces around", "  abc123#expected-state \n", "abc123"],
    ["a bare code", "abc123", "abc123"],
    ["the callback URL", "https://platform.claude.com/oauth/code/callback?code=abc123&state=expected-state", "abc123"],
    ["the callback URL with CODE#STATE", "https://platform.claude.com/oauth/code/callback?code=abc123#expected-state", "abc123"],
    ["a URL whose code holds CODE#STATE", "https://x.test/cb?code=abc123%23expected-state", "abc123"],
  ])("accepts %s", (_name, input, code) => {
    expect(parsePastedCode(input, state)).toEqual({ ok: true, code, state });
  });

  test.each([
    ["a state mismatch", "abc123#other-state", /does not match/],
    ["a URL with the wrong state", "https://x.test/cb?code=abc123&state=other", /does not match/],
    ["nothing", "   ", /nothing was pasted/],
    ["a URL without a code", "https://x.test/cb?state=expected-state", /no authorization code/],
    ["a code with spaces inside", "abc 123#expected-state", /spaces/],
    ["a URL whose fragment is a malformed %-escape", "https://x.test/cb?code=abc#%E0%A4%A", /does not match/],
  ])("rejects %s", (_name, input, reason) => {
    const parsed = parsePastedCode(input, state);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});
