import { expect, test } from "bun:test";
import { createProxyControl } from "../../src/cli/proxy-control.ts";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/shared/log.ts";
import { ServeError } from "../../src/server/serve.ts";
import { freePort } from "../support/binary.ts";

const quiet = createLogger({ level: "error", write: () => {} });

test("menu Start → Stop → Start reuses the same port (stop really frees it)", async () => {
  const port = freePort();
  const config = loadConfig({ env: { MAXIMIZE_PORT: String(port), MAXIMIZE_TOKEN_FILE: "/nonexistent/tokens.json" }, cwd: "/" });
  const control = createProxyControl({ config, log: quiet });
  expect(control.url).toBeUndefined();

  const first = control.start();
  expect(first).toBe(`http://127.0.0.1:${port}`);
  expect(control.start()).toBe(first); // a second Start while running is a no-op, not "address in use"
  expect((await fetch(`${first}/healthz`)).status).toBe(200);

  await control.stop();
  expect(control.url).toBeUndefined();
  expect(
    await fetch(`${first}/healthz`).then(
      () => "answered",
      () => "refused",
    ),
  ).toBe("refused");

  for (let round = 0; round < 3; round++) {
    expect(control.start()).toBe(first);
    expect((await fetch(`${first}/healthz`)).status).toBe(200);
    await control.stop();
  }
  await control.stop(); // stopping a stopped proxy is harmless
});

test("Start on a busy port is a ServeError the menu can show, and leaves nothing running", async () => {
  const blocker = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  try {
    const config = loadConfig({ env: { MAXIMIZE_PORT: String(blocker.port), MAXIMIZE_TOKEN_FILE: "/nonexistent/tokens.json" }, cwd: "/" });
    const control = createProxyControl({ config, log: quiet });
    expect(() => control.start()).toThrow(ServeError);
    expect(control.url).toBeUndefined();
  } finally {
    blocker.stop(true);
  }
});
