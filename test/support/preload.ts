// Runs before every test file: no test may ever touch the real home directory or inherit
// the developer's maximize settings.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const home = mkdtempSync(join(tmpdir(), "maximize-test-home-"));
process.env.HOME = home;
process.env.USERPROFILE = home;
process.env.XDG_CONFIG_HOME = join(home, ".config");
process.env.XDG_DATA_HOME = join(home, ".local", "share");
process.env.CLAUDE_CONFIG_DIR = join(home, ".claude");
process.env.NO_COLOR = "1";
for (const name of Object.keys(process.env)) {
  if (name.startsWith("MAXIMIZE_")) delete process.env[name];
}
for (const name of ["PORT", "BIND_ADDRESS", "LOG_LEVEL", "TOKEN_FILE", "REQUEST_TIMEOUT"]) delete process.env[name];
