import { describe, expect, test } from "bun:test";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeSecretFile } from "../../src/auth/store.ts";
import { freePort } from "../support/binary.ts";
import { cliWorld, startCli, type CliWorld, type RunningCli, useFakeAndProcesses } from "./helpers.ts";

// Issue 16.1: config reload without a restart, on SIGHUP and when the file changes.

const env = useFakeAndProcesses();

const OLD_KEY = "old-key-0000001";
const NEW_KEY = "new-key-0000002";

/** A logged-in world with a config file holding `config`, written the way editors do (a new file renamed over it). */
function worldWithConfig(config: unknown): { world: CliWorld; file: string; write: (next: unknown) => void } {
  const world = cliWorld(env.fake);
  writeSecretFile(world.tokenFile, JSON.stringify(env.fake.issueTokens()));
  const file = join(world.dir, "maximize.json");
  const write = (next: unknown) => {
    writeFileSync(`${file}.tmp`, typeof next === "string" ? next : JSON.stringify(next));
    renameSync(`${file}.tmp`, file);
  };
  write(config);
  return { world, file, write };
}

async function serve(world: CliWorld, file: string, extra: string[] = []): Promise<{ cli: RunningCli; url: string }> {
  const port = freePort();
  const cli = startCli(world, ["serve", "--config", file, "--port", String(port), ...extra]);
  env.track(cli);
  await cli.waitFor(/listening on/);
  return { cli, url: `http://127.0.0.1:${port}` };
}

const ask = (url: string, key: string, extra: Record<string, unknown> = {}) =>
  fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify({ model: "l", max_tokens: 16, messages: [{ role: "user", content: "Hi" }], ...extra }),
  });

describe("config reload", () => {
  test("a valid edit applies live — proxy keys, nicknames — while a stream that started before it completes", async () => {
    const { world, file, write } = worldWithConfig({ server: { api_keys: [OLD_KEY] } });
    const { cli, url } = await serve(world, file);
    env.fake.fault({ kind: "drip", delayMs: 400 });
    const stream = await ask(url, OLD_KEY, { stream: true });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);

    write({ server: { api_keys: [NEW_KEY] }, models: { nicknames: { l: "claude-opus-5-5" } } });
    await cli.waitFor(/config reloaded \(maximize\.json changed\): server\.api_keys, models\.nicknames are now in effect/);
    expect(text).not.toContain("message_stop"); // still open when the reload happened

    for (let read = await reader.read(); !read.done; read = await reader.read()) text += new TextDecoder().decode(read.value);
    expect(text).toContain("event: message_stop"); // the stream in flight was not disturbed
    expect((await ask(url, OLD_KEY)).status).toBe(401);
    const answer = await ask(url, NEW_KEY);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { model: string }).model).toBe("claude-opus-5-5");
    expect(cli.output()).not.toContain(NEW_KEY);
  }, 20_000);

  test("a broken edit is refused, says what is wrong, and the running config stays", async () => {
    const { world, file, write } = worldWithConfig({ server: { api_keys: [OLD_KEY] } });
    const { cli, url } = await serve(world, file);
    write({ server: { api_keys: [OLD_KEY], prot: 1 } });
    await cli.waitFor(
      /ERROR\s+config not reloaded \(maximize\.json changed\): .*unknown key "server\.prot".* the running config stays in effect/,
    );
    expect((await ask(url, OLD_KEY)).status).toBe(200);
  });

  test("the file deleted, or an edit that would leave an open address without keys: refused, the keys stay", async () => {
    const { world, file, write } = worldWithConfig({ server: { api_keys: [OLD_KEY] } });
    const { cli, url } = await serve(world, file, ["--bind", "0.0.0.0"]);
    write({ server: { api_keys: [] } });
    await cli.waitFor(
      /ERROR\s+config not reloaded \(maximize\.json changed\): it has no proxy API keys, and this server listens on 0\.0\.0\.0/,
    );
    expect((await ask(url, "")).status).toBe(401);
    rmSync(file);
    await cli.waitFor(/ERROR\s+config not reloaded \(maximize\.json changed\): config file .*maximize\.json does not exist/);
    expect((await ask(url, "")).status).toBe(401);
    expect((await ask(url, OLD_KEY)).status).toBe(200);
  });

  test("SIGHUP re-reads it; a setting that cannot change live is named as needing a restart", async () => {
    const { world, file, write } = worldWithConfig({ server: { api_keys: [OLD_KEY] } });
    const { cli, url } = await serve(world, file);
    cli.child.kill("SIGHUP");
    await cli.waitFor(/config re-read \(SIGHUP\): nothing changed/);
    write({ server: { api_keys: [OLD_KEY] }, models: { refresh_interval: 60 } });
    await cli.waitFor(/WARN\s+config changed \(maximize\.json changed\): models\.refresh_interval takes effect only after a restart/);
    expect((await ask(url, OLD_KEY)).status).toBe(200);
  });
});
