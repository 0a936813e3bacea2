/** The HTTP edge in process (no sockets): routes, 404/405, guards, error shapes. */
import { describe, expect, test } from "bun:test";
import { post, req, testApp } from "../support/app.ts";

describe("one route table, read from the app", () => {
  const { handle, app } = testApp();

  test("every route the app registers is named in the 404 text", async () => {
    const response = await handle(req("/nope"));
    expect(response.status).toBe(404);
    const message = ((await response.json()) as { error: { message: string } }).error.message;
    for (const route of app.routes) expect(message).toContain(route.path);
  });

  test.each([
    ["/v1/messages", "GET", "POST"],
    ["/v1/chat/completions", "GET", "POST"],
    ["/v1/models", "POST", "GET"],
    ["/v1/models/claude-opus-5-5", "DELETE", "GET"],
    ["/healthz", "POST", "GET, HEAD"],
  ])("%s with %s → 405 with allow: %s", async (path, method, allow) => {
    const response = await handle(req(path, { method, headers: { "content-type": "application/json" } }));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allow);
  });

  test("metrics count a parameterised route under its pattern, not as other", async () => {
    const { handle: own, metrics } = testApp();
    await own(req("/v1/models/claude-opus-5-5"));
    await own(req("/nope"));
    const text = metrics.render();
    expect(text).toContain('route="/v1/models/:id"');
    expect(text).toContain('route="other",status="404"');
  });
});

describe("the request guards, in one plugin", () => {
  test("a web page's request is refused before anything else", async () => {
    const { handle } = testApp();
    const response = await handle(post("/v1/messages", {}, { origin: "https://evil.example" }));
    expect(response.status).toBe(403);
  });

  test("proxy API keys: the Anthropic shape on Anthropic routes, OpenAI's on OpenAI routes", async () => {
    const { handle } = testApp({ MAXIMIZE_API_KEYS: "secret-key-1234" });
    const anthropic = (await (await handle(post("/v1/messages", {}))).json()) as Record<string, unknown>;
    expect(anthropic).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    const openai = (await (await handle(post("/v1/chat/completions", {}))).json()) as Record<string, unknown>;
    expect(openai).toMatchObject({ error: { type: "authentication_error", code: "authentication_error" } });
    expect((await handle(req("/healthz"))).status).toBe(200);
  });

  test("a non-JSON body is 415; a declared body over 32 MB is 413", async () => {
    const { handle } = testApp();
    expect((await handle(req("/v1/messages", { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" }))).status).toBe(415);
    const big = req("/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(33 * 1024 * 1024) },
    });
    expect((await handle(big)).status).toBe(413);
  });
});

describe("no login", () => {
  test("a message request is a 401 that says to run maximize login (AuthError → status in one place)", async () => {
    const { handle } = testApp();
    const response = await handle(
      post("/v1/messages", { model: "claude-opus-5-5", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] }),
    );
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("maximize login");
  });
});

describe("a body that does not fit: 400 in plain words, never valibot's own", () => {
  const { handle } = testApp();
  const VALIBOT = /Invalid (key|type|value|length)|but received/;

  test.each([
    ["/v1/messages", { model: "m", max_tokens: 5 }, "messages is required"],
    ["/v1/messages/count_tokens", { model: "m" }, "messages is required"],
    ["/v1/messages", { model: "m", messages: [], stream: "yes" }, 'stream must be true or false (got "yes")'],
    ["/v1/messages", { model: 5, messages: [] }, "model must be a string (got 5)"],
    ["/v1/chat/completions", { model: "m" }, "messages is required"],
    [
      "/v1/chat/completions",
      { model: "m", messages: [{ role: "user", content: "hi" }], temperature: "hot" },
      'temperature must be a number (got "hot")',
    ],
    ["/v1/responses", { model: "m", input: "hi", temperature: "hot" }, 'temperature must be a number (got "hot")'],
  ])("%s %j → %s", async (path, body, message) => {
    const response = await handle(post(path, body));
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { message: string } }).error;
    expect(error.message).toBe(message);
    expect(error.message).not.toMatch(VALIBOT);
  });
});
