/** GET /api/oauth/usage through the upstream client, against the fake (which answers in percent by default). */
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCredentials } from "../../src/auth/credentials.ts";
import { createTokenStore } from "../../src/auth/store.ts";
import { loadConfig } from "../../src/config/load.ts";
import { createUsageReader } from "../../src/plan/usage-api.ts";
import { createUpstream } from "../../src/upstream/upstream.ts";
import { startFakeAnthropic } from "../support/fake-anthropic.ts";

test("the usage endpoint: windows as 0–1 with their resets, extra usage; a failure is not cached, an answer is", async () => {
  await using fake = await startFakeAnthropic();
  fake.setPlan({
    windows: { "5h": { utilization: 0.3 }, "7d_opus": { utilization: 0.05 } },
    extraUsage: { is_enabled: true, monthly_limit: 50, used_credits: 5, utilization: 0.1 },
  });
  const dir = mkdtempSync(join(tmpdir(), "maximize-usage-"));
  const tokenFile = join(dir, "tokens.json");
  createTokenStore(tokenFile).write(fake.issueTokens());
  const config = loadConfig({
    cwd: dir,
    env: { HOME: dir, MAXIMIZE_TOKEN_FILE: tokenFile, MAXIMIZE_UPSTREAM_URL: fake.url, MAXIMIZE_OAUTH_TOKEN_URL: fake.tokenUrl },
  });
  const upstream = createUpstream({ config, credentials: createCredentials(config, fetch), fetch });
  const reader = createUsageReader({ upstream });

  fake.fault({ route: "usage", status: 500 });
  await expect(reader.read()).rejects.toThrow(/usage endpoint answered 500/);
  const state = await reader.read();
  expect(state).toMatchObject({
    source: "usage_api",
    windows: { five_hour: { utilization: 0.3 }, seven_day_opus: { utilization: 0.05 } },
    extra_usage: { is_enabled: true, monthly_limit: 50, utilization: 0.1 },
  });
  expect(state.windows.five_hour!.resets_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  fake.fault({ route: "usage", status: 500 });
  expect(await reader.read()).toBe(state); // cached: the queued failure is not reached
});
