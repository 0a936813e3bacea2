/** The plan's windows through maximize: from the usage endpoint, from answers' headers, as warnings and as metrics. */
import Anthropic from "@anthropic-ai/sdk";
import { beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { eventually } from "../support/eventually.ts";
import { useLoggedInProxy } from "../support/proxy.ts";

const env = useLoggedInProxy();
let anthropic: Anthropic;
let openai: OpenAI;
beforeAll(() => {
  anthropic = new Anthropic({ apiKey: "unused", baseURL: env.proxy.url, maxRetries: 0 });
  openai = new OpenAI({ apiKey: "unused", baseURL: `${env.proxy.url}/v1`, maxRetries: 0 });
});
const ask = () => anthropic.messages.create({ model: "l", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] });
const usage = async () =>
  (await (await fetch(`${env.proxy.url}/usage`)).json()) as {
    accounts: { source: string; status: string | null; windows: Record<string, { utilization: number; resets_at: string | null }> }[];
  };
const metric = (text: string, name: string) =>
  text
    .split("\n")
    .find((line) => line.startsWith(`${name} `))
    ?.split(" ")
    .at(-1);

describe("GET /usage", () => {
  test("the start-up catalogue fetch already tells the plan (its answer carries the headers too)", async () => {
    expect((await usage()).accounts[0]).toMatchObject({ source: "headers", status: "allowed" });
  });

  test("after an answer: what its unified headers said", async () => {
    env.fake.setPlan({ windows: { "5h": { utilization: 0.42 }, "7d": { utilization: 0.1 } } });
    await ask();
    const state = await usage();
    expect(state.accounts[0]).toMatchObject({
      source: "headers",
      status: "allowed",
      windows: { five_hour: { utilization: 0.42 }, seven_day: { utilization: 0.1 } },
    });
  });
});

describe("warnings", () => {
  test("crossing 75 % and 90 % is logged once each, with the reset", async () => {
    env.fake.setPlan({ windows: { "5h": { utilization: 0.5 } } });
    await ask();
    const before = env.proxy.logs.length;
    env.fake.setPlan({ windows: { "5h": { utilization: 0.8 } } });
    await ask();
    await ask();
    env.fake.setPlan({ windows: { "5h": { utilization: 0.95 } } });
    await ask();
    const lines = env.proxy.logs.slice(before).filter((line) => line.includes("plan: the 5-hour limit"));
    expect(lines.length).toBe(2);
    expect(lines[0]).toContain("80 % used (resets 20");
    expect(lines[1]).toContain("95 % used");
  });

  test("a request refused for the plan: the 429 reaches the client untouched, and the log says which window", async () => {
    env.fake.setPlan({ status: "rejected", representativeClaim: "seven_day", windows: { "7d": { utilization: 1 } } });
    try {
      const error = (await ask().catch((e: unknown) => e)) as InstanceType<typeof Anthropic.RateLimitError>;
      expect(error).toBeInstanceOf(Anthropic.RateLimitError);
      expect(error.headers?.get("anthropic-ratelimit-unified-status")).toBe("rejected");
      expect(env.proxy.logs.some((line) => line.includes("plan: a request was refused: the 7-day limit is used up"))).toBe(true);
    } finally {
      env.fake.setPlan({
        status: "allowed",
        representativeClaim: "five_hour",
        windows: { "7d": { utilization: 0.1 }, "5h": { utilization: 0.1 } },
      });
    }
  });
});

describe("/metrics", () => {
  const tokens = (text: string, model: string, kind: string) =>
    Number(metric(text, `maximize_tokens_total{model="${model}",kind="${kind}"}`) ?? 0);

  test("tokens per model and kind equal what upstream reported: whole answers and streams, on all three routes", async () => {
    const read = async () => (await fetch(`${env.proxy.url}/metrics`)).text();
    const before = await read();
    const a = await anthropic.messages.create({ model: "xs", max_tokens: 64, messages: [{ role: "user", content: "One" }] });
    const b = await anthropic.messages.stream({ model: "xs", max_tokens: 64, messages: [{ role: "user", content: "Two" }] }).finalMessage();
    const c = await openai.chat.completions.create({
      model: "xs",
      messages: [{ role: "user", content: "Three" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamedUsage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of c) if (chunk.usage) streamedUsage = chunk.usage;
    const d = await openai.responses.create({ model: "xs", input: "Four" });
    const after = await read();
    const model = "claude-haiku-5-5";
    const output = a.usage.output_tokens + b.usage.output_tokens + streamedUsage!.completion_tokens + d.usage!.output_tokens;
    expect(tokens(after, model, "output") - tokens(before, model, "output")).toBe(output);
    const input = a.usage.input_tokens + b.usage.input_tokens;
    expect(tokens(after, model, "input") - tokens(before, model, "input")).toBeGreaterThanOrEqual(input);
    expect(
      Number(metric(after, `maximize_model_requests_total{model="${model}"}`)) -
        Number(metric(before, `maximize_model_requests_total{model="${model}"}`) ?? 0),
    ).toBe(4);
  });

  test("plan gauges and duration histograms", async () => {
    env.fake.setPlan({ windows: { "5h": { utilization: 0.25 } } });
    await ask();
    const text = await (await fetch(`${env.proxy.url}/metrics`)).text();
    expect(metric(text, 'maximize_plan_utilization{account="default",window="five_hour"}')).toBe("0.25");
    expect(Number(metric(text, 'maximize_plan_resets_at_seconds{account="default",window="five_hour"}'))).toBeGreaterThan(
      Date.now() / 1000,
    );
    expect(text).toContain("# TYPE maximize_upstream_ttfb_seconds histogram");
    expect(text).toMatch(/maximize_request_duration_seconds_bucket\{route="\/v1\/messages",le="\+Inf"\} \d+/);
    expect(text).toMatch(/maximize_request_duration_seconds_count\{route="\/v1\/messages"\} \d+/);
  });
});

test("/status.json: auth, per-model counts, open streams, recent errors without secrets", async () => {
  await anthropic.messages
    .create({ model: "no-such-model", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] })
    .catch(() => undefined);
  // The error is noted from a copy of the answer, after it went out.
  type Status = Record<string, unknown> & { recent_errors: { status: number; route: string }[] };
  const status = await eventually(async () => {
    const current = (await (await fetch(`${env.proxy.url}/status.json`)).json()) as Status;
    expect(current.recent_errors.length).toBeGreaterThan(0);
    return current;
  });
  expect(status).toMatchObject({ auth: { logged_in: true, method: "oauth" }, open_streams: 0 });
  expect(Object.keys(status.models as object)).toContain("claude-sonnet-5-5");
  expect(status.recent_errors[0]).toMatchObject({ status: 404, route: "/v1/messages" });
  expect(JSON.stringify(status)).not.toMatch(/sk-ant-o[ar]t01/);
});
