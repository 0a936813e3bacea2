import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { forceRefresh } from "../../src/cli/refresh.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startProxy, type TestProxy } from "../support/proxy.ts";

const opened: { fake?: FakeAnthropic; proxy?: TestProxy }[] = [];
afterEach(async () => {
  for (const { fake, proxy } of opened.splice(0)) {
    await proxy?.stop();
    await fake?.close();
  }
});

async function setup(tokens?: (fake: FakeAnthropic) => ReturnType<FakeAnthropic["issueTokens"]> | undefined) {
  const fake = await startFakeAnthropic();
  const proxy = await startProxy(fake, { tokens: tokens?.(fake) });
  opened.push({ fake, proxy });
  const client = new Anthropic({ apiKey: "dummy", baseURL: proxy.url, maxRetries: 0 });
  return { fake, proxy, client };
}

const ask = (client: Anthropic) => client.messages.create({ model: "l", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] });

describe("token lifecycle through the proxy", () => {
  test("an expired token is refreshed before the request; the rotated pair is stored 0600", async () => {
    let issued!: ReturnType<FakeAnthropic["issueTokens"]>;
    const { fake, proxy, client } = await setup((f) => (issued = f.issueTokens({ expiresIn: -60 })));
    const message = await ask(client);
    expect(message.type).toBe("message");
    expect(fake.refreshCalls).toBe(1);
    const stored = proxy.readTokens()!;
    expect(stored.access_token).not.toBe(issued.access_token);
    expect(stored.refresh_token).not.toBe(issued.refresh_token);
    expect(stored.expires_at!).toBeGreaterThan(Date.now() / 1000 + 3600);
    expect(statSync(proxy.tokenFile).mode & 0o777).toBe(0o600);
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${stored.access_token}`);
  });

  test("the refresh asks for Claude Code's scope; the token file keeps its shape and keeps working", async () => {
    // issueTokens() is exactly the ported tool's token file: access_token, refresh_token, expires_at.
    let issued!: ReturnType<FakeAnthropic["issueTokens"]>;
    const { fake, proxy, client } = await setup((f) => (issued = f.issueTokens({ expiresIn: -60 })));
    await ask(client);
    const refresh = fake.tokenRequests.map((r) => r.body as Record<string, string>).filter((b) => b.grant_type === "refresh_token");
    expect(refresh).toEqual([
      {
        grant_type: "refresh_token",
        refresh_token: issued.refresh_token,
        client_id: fake.clientId,
        scope: "user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
      },
    ]);
    const stored = proxy.readTokens()!;
    expect(stored).toMatchObject({
      token_type: "Bearer",
      scopes: "user:file_upload user:inference user:mcp_servers user:profile user:sessions:claude_code",
    });
    expect(typeof stored.expires_at).toBe("number");
    // The stored pair works: the access token upstream, the refresh token for the next refresh (`maximize refresh`).
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${stored.access_token}`);
    const next = await forceRefresh({ config: proxy.config, fetch });
    expect(fake.tokenRequests.at(-1)!.body).toMatchObject({ refresh_token: stored.refresh_token, scope: refresh[0]!.scope });
    expect(proxy.readTokens()).toEqual(next);
    expect((await ask(client)).type).toBe("message");
    expect(fake.refreshCalls).toBe(2);
  });

  test("a token expiring within the lead time is refreshed proactively", async () => {
    const { fake, client } = await setup((f) => f.issueTokens({ expiresIn: 120 }));
    await ask(client);
    expect(fake.refreshCalls).toBe(1);
  });

  test("a revoked token: upstream 401 → one refresh → the request is retried and succeeds", async () => {
    let issued!: ReturnType<FakeAnthropic["issueTokens"]>;
    const { fake, client } = await setup((f) => (issued = f.issueTokens()));
    fake.revokeAccessToken(issued.access_token);
    const message = await ask(client);
    expect(message.type).toBe("message");
    expect(fake.refreshCalls).toBe(1);
    const tried = fake.requests.filter((r) => r.path === "/v1/messages").map((r) => r.headers.authorization);
    expect(tried).toHaveLength(2);
    expect(tried[0]).toBe(`Bearer ${issued.access_token}`);
    expect(tried[1]).not.toBe(tried[0]);
  });

  test("a 401 that refreshing does not cure is passed on, and does not burn a refresh token per request", async () => {
    const { fake, client } = await setup((f) => f.issueTokens());
    fake.fault({ status: 401, times: 3 });
    for (let i = 0; i < 2; i++) {
      const error = await ask(client).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    }
    // First request: one refresh and one retry. Second: the token refreshed moments ago is not refreshed again.
    expect(fake.refreshCalls).toBe(1);
    expect(fake.requests.filter((r) => r.path === "/v1/messages")).toHaveLength(3);
  });

  test("50 concurrent requests on an expiring token cause exactly one refresh", async () => {
    const { fake, client } = await setup((f) => f.issueTokens({ expiresIn: 30 }));
    fake.fault({ route: "token", kind: "delay", delayMs: 200 });
    const results = await Promise.all(Array.from({ length: 50 }, () => ask(client)));
    expect(results.every((m) => m.type === "message")).toBe(true);
    expect(fake.refreshCalls).toBe(1);
  });

  test("refresh rejected (invalid_grant) → 401 telling the user to run maximize login; file kept", async () => {
    let issued!: ReturnType<FakeAnthropic["issueTokens"]>;
    // Revoked before the proxy starts (its start-up catalogue fetch needs the token too).
    const { proxy, client } = await setup((f) => {
      issued = f.issueTokens({ expiresIn: -10 });
      f.revokeRefreshToken(issued.refresh_token);
      return issued;
    });
    const error = await ask(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as Error).message).toContain("maximize login");
    expect(proxy.readTokens()!.refresh_token).toBe(issued.refresh_token);
  });

  test("no token file → 401 telling the user to run maximize login", async () => {
    const { fake, client } = await setup();
    const error = await ask(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as Error).message).toContain("maximize login");
    expect(fake.requests).toHaveLength(0);
  });

  test("token endpoint down while the token is expired → 503 that says so; a later request recovers", async () => {
    // Down before the proxy starts: its start-up catalogue fetch meets the first failure, the request the second.
    const { fake, client } = await setup((f) => {
      f.fault({ route: "token", status: 503, times: 2 });
      return f.issueTokens({ expiresIn: -10 });
    });
    const error = await ask(client).catch((e: unknown) => e);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(503);
    expect((error as Error).message).toContain("could not refresh the Claude token");
    const message = await ask(client);
    expect(message.type).toBe("message");
    expect(fake.refreshCalls).toBe(3);
  });

  test("/auth/status tells whether logged in and when the token expires, never the token", async () => {
    let issued!: ReturnType<FakeAnthropic["issueTokens"]>;
    const { proxy } = await setup((f) => (issued = f.issueTokens()));
    const text = await (await fetch(`${proxy.url}/auth/status`)).text();
    const status = JSON.parse(text);
    expect(status).toMatchObject({ logged_in: true, method: "oauth", refreshable: true, expires_at: issued.expires_at });
    expect(status.expires_in_seconds).toBeGreaterThan(3600);
    expect(text).not.toContain(issued.access_token);
    expect(text).not.toContain(issued.refresh_token);
  });
});
