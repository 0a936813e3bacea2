import { afterAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exchangeCode, OAuthError } from "../../src/auth/oauth.ts";
import { loadConfig } from "../../src/config/load.ts";
import { describeNetworkError, hostAndPort } from "../../src/shared/network-error.ts";
import { post, testApp } from "../support/app.ts";

/** A TCP server doing `onSocket` to every connection, on a free local port. */
async function tcpServer(onSocket: (socket: import("node:net").Socket) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** A port nothing listens on: one the system just gave and took back. */
async function closedPortUrl(): Promise<string> {
  const { server, url } = await tcpServer(() => {});
  await new Promise((resolve) => server.close(resolve));
  return url;
}

const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

/** What fetch really throws for `url`. */
const failureOf = (url: string, init?: RequestInit) =>
  fetch(url, init).then(
    () => {
      throw new Error(`expected ${url} to fail`);
    },
    (error: unknown) => error,
  );

const RUNTIME_HINTS = /Is the computer able|verbose: true|second argument to fetch/;

describe("describeNetworkError on what Bun's fetch really throws", () => {
  test("a closed port: connection refused, naming host and port", async () => {
    const url = await closedPortUrl();
    const text = describeNetworkError(await failureOf(url), url);
    expect(text).toStartWith(`connection refused by ${hostAndPort(url)}`);
    expect(text).not.toMatch(RUNTIME_HINTS);
  });

  test("a server that drops the connection: closed unexpectedly", async () => {
    const { server, url } = await tcpServer((socket) => socket.destroy());
    servers.push(server);
    const text = describeNetworkError(await failureOf(url), url);
    expect(text).toStartWith(`${hostAndPort(url)} closed the connection unexpectedly`);
    expect(text).not.toMatch(RUNTIME_HINTS);
  });

  test("a name that does not resolve: DNS", async () => {
    const url = "http://nonexistent.invalid/";
    const text = describeNetworkError(await failureOf(url), url);
    expect(text).toContain("the host name nonexistent.invalid could not be resolved (DNS)");
  });

  test("a server that never answers: did not answer in time", async () => {
    const { server, url } = await tcpServer(() => {});
    servers.push(server);
    const text = describeNetworkError(await failureOf(url, { signal: AbortSignal.timeout(100) }), url);
    expect(text).toStartWith(`${hostAndPort(url)} did not answer in time`);
  });

  test("https to a port speaking plain text: the TLS handshake failed", async () => {
    const { server, url } = await tcpServer((socket) => socket.end("HTTP/1.1 200 OK\r\n\r\n"));
    servers.push(server);
    const https = url.replace("http:", "https:");
    expect(describeNetworkError(await failureOf(https), https)).toStartWith(`the TLS handshake with ${hostAndPort(https)} failed`);
  });
});

test.each([
  ["ERR_TLS_CERT_ALTNAME_INVALID", "the TLS certificate of api.anthropic.com:443 was not accepted (ERR_TLS_CERT_ALTNAME_INVALID)"],
  ["SELF_SIGNED_CERT_IN_CHAIN", "the TLS certificate of api.anthropic.com:443 was not accepted (SELF_SIGNED_CERT_IN_CHAIN)"],
  ["ERR_SSL_WRONG_VERSION_NUMBER", "the TLS handshake with api.anthropic.com:443 failed"],
])("certificate codes are told apart from handshake failures: %s", (code, start) => {
  const error = Object.assign(new Error("x"), { code });
  expect(describeNetworkError(error, "https://api.anthropic.com/v1/messages")).toStartWith(start);
});

test.each([
  ["https://api.anthropic.com/v1", "api.anthropic.com:443"],
  ["http://127.0.0.1:8081", "127.0.0.1:8081"],
  ["http://localhost", "localhost:80"],
])("hostAndPort(%p) is %p", (url, expected) => {
  expect(hostAndPort(url)).toBe(expected);
});

test("an unknown failure keeps the runtime's words without its developer hints, and a plain error its message", () => {
  const odd = Object.assign(
    new TypeError("EWEIRD: something odd. For more information, pass `verbose: true` in the second argument to fetch()"),
    {
      code: "EWEIRD",
    },
  );
  expect(describeNetworkError(odd, "http://h:1")).toBe("the connection to h:1 failed (EWEIRD: something odd)");
  expect(describeNetworkError(new Error("socket hang up"))).toBe("the connection to the server failed (socket hang up)");
});

test("a client of the proxy gets a 502 in plain words when the upstream refuses the connection, and the log says the same", async () => {
  const dead = await closedPortUrl();
  const { handle, logs } = testApp({ MAXIMIZE_UPSTREAM_URL: dead.replace(/\/$/, ""), MAXIMIZE_ANTHROPIC_API_KEY: "sk-ant-api03-test" });
  const response = await handle(
    post("/v1/messages", { model: "claude-sonnet-4-5", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
  );
  expect(response.status).toBe(502);
  const { error } = (await response.json()) as { error: { message: string } };
  expect(error.message).toContain(`connection refused by ${hostAndPort(dead)}`);
  expect(error.message).not.toMatch(RUNTIME_HINTS);
  expect(logs.join("\n")).toContain(`connection refused by ${hostAndPort(dead)}`);
  expect(logs.join("\n")).not.toMatch(RUNTIME_HINTS);
});

test("a client of the proxy gets a 502 in plain words when the upstream drops the connection", async () => {
  const { server, url } = await tcpServer((socket) => socket.destroy());
  servers.push(server);
  const { handle } = testApp({ MAXIMIZE_UPSTREAM_URL: url.replace(/\/$/, ""), MAXIMIZE_ANTHROPIC_API_KEY: "sk-ant-api03-test" });
  const response = await handle(post("/v1/chat/completions", { model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] }));
  expect(response.status).toBe(502);
  const { error } = (await response.json()) as { error: { message: string } };
  expect(error.message).toContain(`${hostAndPort(url)} closed the connection unexpectedly`);
  expect(error.message).not.toMatch(RUNTIME_HINTS);
});

test("the login code exchange against a closed token endpoint says connection refused, in plain words", async () => {
  const dead = await closedPortUrl();
  const dir = mkdtempSync(join(tmpdir(), "maximize-net-"));
  const config = loadConfig({ cwd: dir, env: { HOME: dir, MAXIMIZE_OAUTH_TOKEN_URL: `${dead}v1/oauth/token` } });
  const failure = await exchangeCode(fetch, config.oauth, { code: "c", state: "s", verifier: "v" }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(OAuthError);
  expect((failure as OAuthError).kind).toBe("unavailable");
  expect((failure as OAuthError).message).toContain(`connection refused by ${hostAndPort(dead)}`);
  expect((failure as OAuthError).message).not.toMatch(RUNTIME_HINTS);
});
