/**
 * What several accounts cost per request, measured where the cost is: the account pool (src/accounts/pool.ts) in
 * process, in front of an upstream that answers at once, with one account and with three. End to end the difference
 * (a few µs) drowns in the ±20 % that the CPU of a whole request varies between rounds on this machine.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAccountPool } from "../../src/accounts/pool.ts";
import { loadConfig } from "../../src/config/load.ts";
import { createPlanTracker } from "../../src/plan/tracker.ts";
import { createLogger } from "../../src/shared/log.ts";
import type { Upstream } from "../../src/upstream/upstream.ts";

export interface PoolCost {
  /** µs of pool work per request with one account, and with three. */
  oneMicros: number;
  threeMicros: number;
  requests: number;
}

const HEADERS = {
  "anthropic-ratelimit-unified-status": "allowed",
  "anthropic-ratelimit-unified-reset": "1999999999",
  "anthropic-ratelimit-unified-5h-utilization": "0.2",
  "anthropic-ratelimit-unified-7d-utilization": "0.3",
};

async function perSend(accounts: number, requests: number, body: Record<string, unknown>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "maximize-bench-accounts-"));
  try {
    const login = (n: number) =>
      JSON.stringify({ access_token: `sk-ant-oat01-bench-${n}`, refresh_token: `sk-ant-ort01-bench-${n}`, expires_at: 4_000_000_000 });
    writeFileSync(join(dir, "tokens.json"), login(0), { mode: 0o600 });
    mkdirSync(join(dir, "accounts"), { mode: 0o700 });
    for (let n = 1; n < accounts; n++) writeFileSync(join(dir, "accounts", `account-${n}.json`), login(n), { mode: 0o600 });
    const config = loadConfig({ cwd: dir, env: { HOME: dir, MAXIMIZE_TOKEN_FILE: join(dir, "tokens.json") } });
    const plan = createPlanTracker();
    const headers = new Headers(HEADERS);
    // What the pool needs of the upstream client: the credentials asked for, the plan headers seen, an answer.
    const upstream: Upstream = {
      async send(call) {
        await call.credentials?.get();
        plan.observe(headers, 200, call.account);
        return new Response("{}", { status: 200, headers });
      },
    };
    const pool = createAccountPool({ config, upstream, fetch, plan, log: createLogger({ level: "error", write: () => {} }) });
    const clientHeaders = new Headers({ "content-type": "application/json", "anthropic-version": "2023-06-01" });
    for (let i = 0; i < requests / 5; i++) await pool.send({ path: "/v1/messages", body, clientHeaders });
    const started = performance.now();
    for (let i = 0; i < requests; i++) await pool.send({ path: "/v1/messages", body, clientHeaders });
    return ((performance.now() - started) * 1000) / requests;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Interleaved rounds (one, three, one, three…); the median of each. */
export async function measurePoolCost(body: Record<string, unknown>, requests = 100_000, rounds = 3): Promise<PoolCost> {
  const one: number[] = [];
  const three: number[] = [];
  for (let round = 0; round < rounds; round++) {
    one.push(await perSend(1, requests, body));
    three.push(await perSend(3, requests, body));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  return { oneMicros: median(one), threeMicros: median(three), requests };
}
