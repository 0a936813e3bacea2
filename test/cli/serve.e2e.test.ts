import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { writeSecretFile } from "../../src/auth/store.ts";
import { freePort } from "../support/binary.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { cliWorld, runCli, startCli, type CliWorld, type RunningCli } from "./helpers.ts";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());

const started: RunningCli[] = [];
afterEach(async () => {
  for (const cli of started.splice(0)) {
    cli.child.kill("SIGKILL");
    await cli.exited;
  }
});

function serve(world: CliWorld, port: number): RunningCli {
  const cli = startCli(world, ["serve", "--port", String(port)]);
  started.push(cli);
  return cli;
}

const loggedInWorld = () => {
  const world = cliWorld(fake);
  writeSecretFile(world.tokenFile, JSON.stringify(fake.issueTokens()));
  return world;
};

const streamRequest = (url: string) =>
  fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "unused" },
    body: JSON.stringify({ model: "l", max_tokens: 32, stream: true, messages: [{ role: "user", content: "Hi" }] }),
  });

describe("maximize serve", () => {
  test("SIGTERM: stops accepting, the stream in flight completes, exit 0", async () => {
    const port = freePort();
    const cli = serve(loggedInWorld(), port);
    await cli.waitFor(/listening on/);
    const url = `http://127.0.0.1:${port}`;
    fake.fault({ kind: "drip", delayMs: 80 });

    const response = await streamRequest(url);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = decoder.decode((await reader.read()).value);

    cli.child.kill("SIGTERM");
    await cli.waitFor(/SIGTERM received/);
    const refused = await fetch(`${url}/healthz`).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);

    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += decoder.decode(value);
    }
    expect(received).toContain("event: message_stop");
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain("stopped");
  });

  test("a second signal closes open streams: the log says the shutdown closed them, not the client", async () => {
    const port = freePort();
    const cli = serve(loggedInWorld(), port);
    await cli.waitFor(/listening on/);
    fake.fault({ kind: "drip", delayMs: 5000 });

    const response = await streamRequest(`http://127.0.0.1:${port}`);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();

    cli.child.kill("SIGTERM");
    await cli.waitFor(/SIGTERM received/);
    cli.child.kill("SIGTERM");
    await cli.waitFor(/SIGTERM again/);
    await reader.read().catch(() => undefined); // the cut connection
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/POST \/v1\/messages 200 .*stream cut: maximize was shutting down/);
    expect(cli.output()).not.toContain("client closed");
  });

  test("a busy port is a one-line error naming the port and how to change it, exit 1", async () => {
    const blocker = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const result = await runCli(cliWorld(fake), ["serve", "--port", String(blocker.port)]);
      expect(result.code).toBe(1);
      const errors = result.stderr.split("\n").filter((line) => line.startsWith("error"));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`port ${blocker.port}`);
      expect(errors[0]).toContain("--port");
      expect(result.stderr).not.toContain("    at ");
    } finally {
      blocker.stop(true);
    }
  });

  test("without a login: says how to log in, /healthz answers, requests get 401 naming `maximize login`", async () => {
    const port = freePort();
    const world = cliWorld(fake);
    const cli = serve(world, port);
    await cli.waitFor(/not logged in.*`maximize login`/);
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const response = await streamRequest(url);
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("maximize login");

    expect((await runCli(world, ["health", "--port", String(port)])).code).toBe(0);
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
  });

  test("maximize health fails when nothing listens", async () => {
    const result = await runCli(cliWorld(fake), ["health", "--port", String(freePort())]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unhealthy");
  });
});
