/**
 * What the API of December 2026 sends and refuses, through maximize with the official SDK: policy and plan refusals
 * reach the client whole (status, type, message, error.details) and are explained in the log; blocks, stop reasons
 * and events newer than maximize are relayed verbatim; structured output, effort and signed thinking in a tool loop
 * work on the current models.
 */
import Anthropic from "@anthropic-ai/sdk";
import { beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { POLICY_ERRORS } from "../support/fake-anthropic.ts";
import { useLoggedInProxy } from "../support/proxy.ts";

const env = useLoggedInProxy();
let client: Anthropic;
let openai: OpenAI;
beforeAll(() => {
  client = new Anthropic({ apiKey: "unused", baseURL: env.proxy.url, maxRetries: 0 });
  openai = new OpenAI({ apiKey: "unused", baseURL: `${env.proxy.url}/v1`, maxRetries: 0 });
});
const user = (content: string): Anthropic.MessageParam[] => [{ role: "user", content }];

describe("policy, plan and version refusals pass through whole and are explained once in the log", () => {
  /** What each log line must tell the operator (src/upstream/policy.ts). */
  const advice: Record<keyof typeof POLICY_ERRORS, string> = {
    claude_code_version_too_old: "claude update",
    identity_refusal: "Claude Code-shaped",
    third_party_extra_usage: "billed to the account's extra usage",
    credits_required: "usage credits",
    long_context_extra_usage: "long-context request on a plan",
  };

  test.each(Object.entries(POLICY_ERRORS))("%s", async (name, fault) => {
    env.fake.fault({ ...fault, route: "messages" });
    const error = (await client.messages
      .create({ model: "l", max_tokens: 16, messages: user("Hi") })
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error.status).toBe(fault.status);
    expect((error.error as { error: unknown }).error).toEqual(fault.body.error); // type, message and details intact
    expect(env.fake.requests.filter((r) => r.path === "/v1/messages").length).toBeGreaterThan(0);
    const explained = env.proxy.logs.filter((line) => line.includes(`upstream ${fault.status}:`));
    expect(explained.at(-1)).toContain(advice[name as keyof typeof POLICY_ERRORS]);
  });

  test("the OpenAI route: Anthropic's error code becomes the OpenAI `code`, details kept", async () => {
    env.fake.fault({ ...POLICY_ERRORS.credits_required, route: "messages" });
    const error = (await openai.chat.completions
      .create({ model: "l", messages: [{ role: "user", content: "Hi" }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe("credits_required");
    expect(error.message).toContain(POLICY_ERRORS.credits_required.body.error.message);
    expect((error.error as { details?: unknown }).details).toEqual({ error_code: "credits_required" });
  });

  test("a refusal is never retried by maximize", async () => {
    const before = env.fake.requests.length;
    env.fake.fault({ ...POLICY_ERRORS.third_party_extra_usage, route: "messages" });
    await client.messages.create({ model: "l", max_tokens: 16, messages: user("Hi") }).catch(() => undefined);
    expect(env.fake.requests.length - before).toBe(1);
  });

  test("an old Claude Code's own user-agent is passed on, so Anthropic's claude_code_version_too_old reaches it", async () => {
    const response = await fetch(`${env.proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "claude-cli/1.0.0 (external, cli)", "x-app": "cli" },
      body: JSON.stringify({ model: "l", max_tokens: 16, messages: user("Hi") }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { details: unknown } }).error.details).toEqual({
      error_code: "claude_code_version_too_old",
    });
    expect(env.fake.requests.at(-1)!.headers["user-agent"]).toBe("claude-cli/1.0.0 (external, cli)");
    expect(env.proxy.logs.some((line) => line.includes("upstream 400:") && line.includes("claude update"))).toBe(true);
  });

  test("other clients are sent as maximize, not as a frozen Claude Code version", async () => {
    await client.messages.create({ model: "l", max_tokens: 16, messages: user("Hi") });
    expect(env.fake.requests.at(-1)!.headers["user-agent"]).toMatch(/^maximize\//);
  });

  test("a rejected plan: 429 with the unified headers and retry-after, explained", async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    env.fake.setPlan({ status: "rejected", representativeClaim: "five_hour", windows: { "5h": { utilization: 1, resetsAt: reset } } });
    try {
      const error = (await client.messages
        .create({ model: "l", max_tokens: 16, messages: user("Hi") })
        .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.RateLimitError>;
      expect(error).toBeInstanceOf(Anthropic.RateLimitError);
      expect(error.headers?.get("anthropic-ratelimit-unified-status")).toBe("rejected");
      expect(error.headers?.get("retry-after")).toBeTruthy();
      expect(env.proxy.logs.some((line) => line.includes("5-hour limit is used up"))).toBe(true);
    } finally {
      env.fake.setPlan({ status: "allowed", windows: { "5h": { utilization: 0.1 } } });
    }
  });
});

describe("what is newer than maximize is relayed verbatim", () => {
  const script = {
    kind: "script" as const,
    content: [
      { type: "fallback", reason: "capacity", model: "claude-sonnet-5" },
      { type: "text", text: "Partly." },
    ],
    stop_reason: "refusal",
    stop_details: { type: "refusal", category: "cyber", explanation: "Not that." },
    extraEvents: [{ event: "message_annotation", data: { type: "message_annotation", note: "from the future" } }],
  };

  test("non-stream: unknown block types, the new stop reason and stop_details", async () => {
    env.fake.fault(script);
    const message = await client.messages.create({ model: "l", max_tokens: 64, messages: user("Hi") });
    expect(message.content[0]).toEqual(script.content[0] as never);
    expect(message.stop_reason).toBe("refusal");
    expect((message as unknown as { stop_details: unknown }).stop_details).toEqual(script.stop_details);
  });

  test("stream: an event name the SDK does not know reaches the wire, and the SDK still finishes", async () => {
    env.fake.fault(script);
    const response = await fetch(`${env.proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "l", max_tokens: 64, stream: true, messages: user("Hi") }),
    });
    const text = await response.text();
    expect(text).toContain('event: message_annotation\ndata: {"type":"message_annotation","note":"from the future"}');
    expect(text).toContain('"type":"fallback"');
    env.fake.fault(script);
    const final = await client.messages.stream({ model: "l", max_tokens: 64, messages: user("Hi") }).finalMessage();
    expect(final.stop_reason).toBe("refusal");
    expect(final.content.map((block) => block.type)).toEqual(["fallback", "text"] as never);
  });

  test("the OpenAI route skips what it cannot map and says why it stopped", async () => {
    env.fake.fault(script);
    const completion = await openai.chat.completions.create({ model: "l", messages: [{ role: "user", content: "Hi" }] });
    expect(completion.choices[0]).toMatchObject({ message: { content: "Partly." }, finish_reason: "content_filter" });
    env.fake.fault(script);
    const streamed = await openai.chat.completions
      .stream({ model: "l", messages: [{ role: "user", content: "Hi" }] })
      .finalChatCompletion();
    expect(streamed.choices[0]).toMatchObject({ message: { content: "Partly." }, finish_reason: "content_filter" });
  });
});

describe("today's request features on the current models", () => {
  test("structured output: output_config.format is passed on and the answer parses against the schema", async () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, days: { type: "integer" } },
      required: ["city", "days"],
      additionalProperties: false,
    };
    const message = await client.messages.create({
      model: "m",
      max_tokens: 256,
      messages: user("Plan a trip"),
      output_config: { format: { type: "json_schema", schema } },
    });
    expect(env.fake.requests.at(-1)!.body).toMatchObject({ output_config: { effort: "medium", format: { type: "json_schema", schema } } });
    const text = (message.content.find((block) => block.type === "text") as Anthropic.TextBlock).text;
    expect(JSON.parse(text)).toEqual({ city: expect.any(String), days: expect.any(Number) });
  });

  test("an effort the model does not list is Anthropic's 400, passed on (maximize only fits its own nickname efforts)", async () => {
    const error = await client.messages
      .create({ model: "claude-haiku-5-5", max_tokens: 16, messages: user("Hi"), output_config: { effort: "max" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
  });

  test.each(["2023-06-01", "2026-10-21"])(
    "a tool loop with adaptive thinking: the signed thinking goes back unchanged (anthropic-version %s)",
    async (version) => {
      const sdk = new Anthropic({
        apiKey: "unused",
        baseURL: env.proxy.url,
        maxRetries: 0,
        defaultHeaders: { "anthropic-version": version },
      });
      const tools: Anthropic.Tool[] = [
        {
          name: "lookup",
          description: "Look up",
          input_schema: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
        },
      ];
      const params = { model: "xxl", max_tokens: 2048, tools, thinking: { type: "adaptive" as const, display: "summarized" as const } };
      const first = await sdk.messages.create({ ...params, messages: user("Find it") });
      expect(first.stop_reason).toBe("tool_use");
      expect(first.content[0]?.type).toBe("thinking");
      const call = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === "tool_use")!;
      const second = await sdk.messages
        .stream({
          ...params,
          messages: [
            ...user("Find it"),
            { role: "assistant", content: first.content },
            { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "found" }] },
          ],
        })
        .finalMessage();
      expect(second.stop_reason).toBe("end_turn");
      expect(second.content.at(-1)).toMatchObject({ type: "text", text: "Tool result received: found" });
      expect(env.fake.requests.at(-1)!.headers["anthropic-version"]).toBe(version);
    },
  );
});
