import { afterEach, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { writeSecretFile } from "../../src/auth/store.ts";
import { cliWorld } from "./helpers.ts";
import { startPty, type Pty } from "./pty.ts";

const open: Pty[] = [];
afterEach(() => {
  for (const pty of open.splice(0)) pty.kill();
});

test("maximize logout on a terminal without a login says so, without asking to delete a file that is not there", async () => {
  const world = cliWorld(undefined);
  const pty = startPty(world, ["logout"]);
  open.push(pty);
  expect(await pty.exited).toBe(0);
  expect(pty.screen()).toContain(`not logged in — there was no ${world.tokenFile}`);
  expect(pty.screen()).not.toContain("Log out and delete");
});

test("maximize logout on a terminal with a login asks first; yes deletes it", async () => {
  const world = cliWorld(undefined);
  writeSecretFile(
    world.tokenFile,
    JSON.stringify({ access_token: `sk-ant-oat01-${"x".repeat(90)}`, refresh_token: null, expires_at: null }),
  );
  const pty = startPty(world, ["logout"]);
  open.push(pty);
  await pty.waitFor(/Log out and delete/);
  pty.type("y\r");
  expect(await pty.exited).toBe(0);
  expect(pty.screen()).toContain("logged out — deleted");
  expect(existsSync(world.tokenFile)).toBe(false);
});
