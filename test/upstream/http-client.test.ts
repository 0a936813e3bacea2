import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Fetch } from "../../src/shared/http.ts";
import { createHttpClient, fetchLimit, streamEnded, usesProxyEnv, withOverflow } from "../../src/upstream/http-client.ts";
import { eventually } from "../support/eventually.ts";

/** A server whose /hold streams send one line, then stay open until released; it counts what is open. */
function startServer() {
  const state = {
    open: 0,
    held: [] as Array<() => void>,
    lastRequest: undefined as { method: string; headers: Headers; body: string } | undefined,
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/echo") {
        state.lastRequest = { method: request.method, headers: request.headers, body: await request.text() };
        return Response.json({ ok: true }, { status: 201, headers: { "x-multi": "a" } });
      }
      if (url.pathname === "/empty") return new Response(null, { status: 204 });
      state.open++;
      let sent = false;
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            if (!sent) {
              sent = true;
              return controller.enqueue(new TextEncoder().encode("first\n"));
            }
            await new Promise<void>((resolve) => state.held.push(resolve));
            state.open--;
            controller.enqueue(new TextEncoder().encode("last\n"));
            controller.close();
          },
          cancel() {
            state.open--;
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    },
  });
  const release = () => {
    for (const resolve of state.held.splice(0)) resolve();
  };
  return { url: `http://127.0.0.1:${server.port}`, state, release, stop: () => server.stop(true) };
}

let server: ReturnType<typeof startServer>;
beforeAll(() => {
  server = startServer();
});
afterAll(() => server.stop());

/** Resolves true once the condition holds (eventually() throws its last failure when time runs out). */
const until = async (condition: () => boolean, timeoutMs = 5000) =>
  eventually(
    () => {
      if (!condition()) throw new Error("condition not reached in time");
      return true;
    },
    timeoutMs,
    5,
  );

describe("createHttpClient", () => {
  const client = createHttpClient();

  test("sends method, headers and body; returns status, headers and body", async () => {
    const response = await client(`${server.url}/echo`, { method: "POST", headers: new Headers({ "x-test": "1" }), body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-multi")).toBe("a");
    expect(await response.json()).toEqual({ ok: true });
    expect(server.state.lastRequest?.method).toBe("POST");
    expect(server.state.lastRequest?.headers.get("x-test")).toBe("1");
    expect(server.state.lastRequest?.headers.get("accept-encoding")).toBe("identity");
    expect(server.state.lastRequest?.body).toBe('{"a":1}');
  });

  test("a bodiless status resolves with a null body", async () => {
    const response = await client(`${server.url}/empty`);
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  test("300 streams are open at the server at once (no 256 cap)", async () => {
    const responses = Array.from({ length: 300 }, () => client(`${server.url}/hold`).then((r) => r.text()));
    expect(await until(() => server.state.open === 300)).toBe(true);
    const releasing = setInterval(server.release, 10);
    const texts = await Promise.all(responses);
    clearInterval(releasing);
    expect(new Set(texts)).toEqual(new Set(["first\nlast\n"]));
  });

  test("aborting mid-body errors the reader and closes the server's stream at once", async () => {
    const controller = new AbortController();
    const response = await client(`${server.url}/hold`, { signal: controller.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first\n");
    controller.abort(new Error("client went away"));
    await expect(reader.read()).rejects.toBeDefined();
    expect(await until(() => server.state.open === 0, 1000)).toBe(true);
  });

  test("an unreachable host rejects", async () => {
    await expect(client("http://127.0.0.1:1/")).rejects.toThrow();
  });

  test("an already aborted signal rejects without sending", async () => {
    await expect(client(`${server.url}/echo`, { signal: AbortSignal.abort() })).rejects.toBeDefined();
  });
});

describe("withOverflow", () => {
  /** Fetches that record their name in `used` when called; a failing one rejects instead of fetching. */
  const recorder =
    (used: string[]) =>
    (name: string, fail = false): Fetch =>
    (input, init) => {
      used.push(name);
      return fail ? Promise.reject(new Error("down")) : fetch(input, init);
    };

  test("uses the primary until `limit` event streams are in flight, then the overflow; a slot frees when its reader says the stream ended", async () => {
    const used: string[] = [];
    const tag = recorder(used);
    const send = withOverflow(tag("primary"), tag("overflow"), 1);
    const held = await send(`${server.url}/hold`);
    const second = await send(`${server.url}/echo`, { method: "POST", body: "{}" });
    await second.text();
    expect(used).toEqual(["primary", "overflow"]);
    server.release();
    await held.text();
    await (await send(`${server.url}/echo`, { method: "POST", body: "{}" })).text();
    expect(used).toEqual(["primary", "overflow", "overflow"]); // read, but not yet said
    streamEnded(held);
    await (await send(`${server.url}/echo`, { method: "POST", body: "{}" })).text();
    expect(used).toEqual(["primary", "overflow", "overflow", "primary"]);
  });

  test("a failed request frees its slot; so does a cancelled stream once said", async () => {
    const used: string[] = [];
    const tag = recorder(used);
    const failing = withOverflow(tag("primary", true), tag("overflow"), 1);
    await expect(failing(`${server.url}/echo`)).rejects.toThrow("down");
    await Bun.sleep(0);
    await expect(failing(`${server.url}/echo`)).rejects.toThrow("down");
    expect(used).toEqual(["primary", "primary"]);

    const send = withOverflow(tag("primary"), tag("overflow"), 1);
    const held = await send(`${server.url}/hold`);
    await held.body!.cancel();
    streamEnded(held);
    await (await send(`${server.url}/echo`, { method: "POST", body: "{}" })).text();
    expect(used.slice(2)).toEqual(["primary", "primary"]);
  });

  test("a whole (non-SSE) answer frees its slot when its headers arrive, before the caller reads it", async () => {
    const used: string[] = [];
    const tag = recorder(used);
    const send = withOverflow(tag("primary"), tag("overflow"), 1);
    const first = await send(`${server.url}/echo`, { method: "POST", body: "{}" });
    const second = await send(`${server.url}/echo`, { method: "POST", body: "{}" });
    expect(used).toEqual(["primary", "primary"]);
    expect(await first.json()).toEqual({ ok: true });
    expect(await second.json()).toEqual({ ok: true });
  });

  test("HTTP(S)_PROXY in the environment is detected", () => {
    expect(usesProxyEnv({ HTTPS_PROXY: "http://proxy:3128" })).toBe(true);
    expect(usesProxyEnv({ http_proxy: "http://proxy:3128" })).toBe(true);
    expect(usesProxyEnv({ PATH: "/bin" })).toBe(false);
  });
});

test.each<[string, Record<string, string | undefined>, number]>([
  ["Bun's own cap", {}, 240],
  ["a higher cap set at start", { BUN_CONFIG_MAX_HTTP_REQUESTS: "4096" }, 4080],
  ["a lower or broken value: Bun's own cap", { BUN_CONFIG_MAX_HTTP_REQUESTS: "12" }, 240],
  ["not a number", { BUN_CONFIG_MAX_HTTP_REQUESTS: "lots" }, 240],
])("fetch limit: %s", (_name, env, expected) => {
  expect(fetchLimit(env)).toBe(expected);
});
