import { beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { IDENTITY, TINY_PNG_BASE64 } from "../support/fake-anthropic.ts";
import { startProxy, useLoggedInProxy } from "../support/proxy.ts";

type Params = Omit<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, "stream">;
type Chunk = OpenAI.Chat.ChatCompletionChunk;

const env = useLoggedInProxy();
let client: OpenAI;
beforeAll(() => {
  client = new OpenAI({ apiKey: "sk-dummy-client-key", baseURL: `${env.proxy.url}/v1`, maxRetries: 0 });
});

const SONNET = "claude-sonnet-5-5";
const ask = (content: string): OpenAI.Chat.ChatCompletionMessageParam[] => [{ role: "user", content }];
const lastUpstream = () => env.fake.requests.at(-1)!.body as Record<string, unknown>;

const weatherTool: OpenAI.Chat.ChatCompletionFunctionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

async function collect(stream: AsyncIterable<Chunk>): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** The same request answered whole, streamed chunk by chunk, and through the strict stream() helper. */
async function threeWays(params: Params) {
  const whole = await client.chat.completions.create(params);
  const chunks = await collect(await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } }));
  const helper = await client.chat.completions.stream({ ...params, stream_options: { include_usage: true } }).finalChatCompletion();
  return { whole, chunks, helper };
}

describe("plain completions", () => {
  test("answer, ids, the model that answered, usage; the upstream request is a proper subscription request", async () => {
    const completion = await client.chat.completions.create({
      model: "l",
      messages: [{ role: "system", content: "Be brief." }, ...ask("Say hi")],
    });
    expect(completion).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      model: SONNET,
      choices: [{ index: 0, message: { role: "assistant", content: `Hello from ${SONNET}! You said: Say hi` }, finish_reason: "stop" }],
    });
    expect(completion.created).toBeNumber();
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    expect(completion.usage!.prompt_tokens_details).toEqual({ cached_tokens: 0 });

    const sent = env.fake.requests.at(-1)!;
    expect(sent.path).toBe("/v1/messages");
    expect(sent.headers.authorization).toStartWith("Bearer sk-ant-oat01-");
    expect(sent.body).toMatchObject({
      model: SONNET,
      max_tokens: 8192,
      system: [
        { type: "text", text: IDENTITY },
        { type: "text", text: "Be brief." },
      ],
      messages: [{ role: "user", content: [{ type: "text", text: "Say hi" }] }],
    });
  });

  test.each([
    ["xs", "claude-haiku-5-5"],
    ["m", "claude-sonnet-5-5"],
    ["xxl", "claude-opus-5-5"],
  ])("nickname %s → %s upstream, and named as the model that answered", async (nickname, model) => {
    const completion = await client.chat.completions.create({ model: nickname, messages: ask("Hi") });
    expect(lastUpstream().model).toBe(model);
    expect(completion.model).toBe(model);
    expect(completion.choices[0]!.message.content).toBe(`Hello from ${model}! You said: Hi`);
  });

  test("a full model name passes through", async () => {
    const completion = await client.chat.completions.create({ model: "claude-haiku-4-5-20251001", messages: ask("Hi") });
    expect(completion.model).toBe("claude-haiku-4-5-20251001");
    expect(lastUpstream()).toMatchObject({ model: "claude-haiku-4-5-20251001", max_tokens: 8192 });
  });

  test("a developer message becomes system and is answered (no hang)", async () => {
    const completion = await client.chat.completions.create({
      model: "l",
      messages: [{ role: "developer", content: "Answer in French." }, ...ask("Hi")],
    });
    expect(completion.choices[0]!.message.content).toBe(`Hello from ${SONNET}! You said: Hi`);
    expect(lastUpstream().system).toEqual([
      { type: "text", text: IDENTITY },
      { type: "text", text: "Answer in French." },
    ]);
  });

  test("max_completion_tokens, stop, temperature and user reach upstream under their Anthropic names", async () => {
    const completion = await client.chat.completions.create({
      model: "claude-opus-4-6", // a model that still takes temperature
      messages: ask("Hi"),
      max_completion_tokens: 100,
      stop: ["You said"],
      temperature: 0.4,
      user: "user-42",
    });
    expect(lastUpstream()).toMatchObject({
      max_tokens: 100,
      stop_sequences: ["You said"],
      temperature: 0.4,
      metadata: { user_id: "user-42" },
    });
    expect(completion.choices[0]).toMatchObject({ message: { content: "Hello from claude-opus-4-6! " }, finish_reason: "stop" });
  });

  test("temperature and top_p are left out (not refused) for a model that does not take them; the debug log says so", async () => {
    const completion = await client.chat.completions.create({ model: "l", messages: ask("Hi"), temperature: 0.4, top_p: 0.9 });
    expect(completion.choices[0]!.message.content).toBe(`Hello from ${SONNET}! You said: Hi`);
    expect(lastUpstream().temperature).toBeUndefined();
    expect(lastUpstream().top_p).toBeUndefined();
    expect(env.proxy.logs.some((line) => line.includes("temperature/top_p left out"))).toBe(true);
  });
});

describe("streaming", () => {
  test("create({stream:true}): role first, the same text, the same finish_reason, no usage unless asked, [DONE]", async () => {
    const whole = await client.chat.completions.create({ model: "l", messages: ask("Stream please") });
    const chunks = await collect(await client.chat.completions.create({ model: "l", messages: ask("Stream please"), stream: true }));
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(whole.choices[0]!.message.content!);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.filter((chunk) => chunk.choices[0]?.finish_reason)).toHaveLength(1);
    expect(chunks.every((chunk) => chunk.usage === undefined && chunk.model === SONNET && chunk.id === chunks[0]!.id)).toBe(true);
  });

  test("the raw wire: data-only chunks and data: [DONE], as text/event-stream", async () => {
    const response = await fetch(`${env.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "l", messages: ask("Hi"), stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    const text = await response.text();
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    for (const event of text.trim().split("\n\n")) expect(event).toMatch(/^data: [^\n]+$/);
  });

  test("stream() helper: finalChatCompletion() succeeds and equals the non-stream answer", async () => {
    const { whole, chunks, helper } = await threeWays({ model: "l", messages: ask("Helper") });
    expect(helper.choices[0]!.message.content).toBe(whole.choices[0]!.message.content);
    expect(helper.choices[0]!.finish_reason).toBe(whole.choices[0]!.finish_reason);
    expect(helper.model).toBe(SONNET);
    expect(chunks.at(-1)!.choices).toEqual([]);
  });

  test.each<[string, Partial<Params>, string]>([
    ["stop", {}, "stop"],
    ["length", { max_completion_tokens: 2 }, "length"],
    ["stop sequence", { stop: "You said" }, "stop"],
    ["tool_calls", { tools: [weatherTool] }, "tool_calls"],
  ])("finish_reason %s is the same whole, streamed and through the helper", async (_name, extra, expected) => {
    const { whole, chunks, helper } = await threeWays({ model: "l", messages: ask("Hi"), ...extra });
    expect(whole.choices[0]!.finish_reason).toBe(expected as never);
    expect(chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => (choice.finish_reason ? [choice.finish_reason] : [])))).toEqual([
      expected as never,
    ]);
    expect(helper.choices[0]!.finish_reason).toBe(expected as never);
  });

  test("include_usage: a final chunk with choices [] and the same usage as the non-stream answer", async () => {
    const { whole, chunks, helper } = await threeWays({ model: "l", messages: ask("Count me") });
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(whole.usage!);
    expect(helper.usage).toEqual(whole.usage!);
    expect(chunks.slice(0, -1).every((chunk) => !chunk.usage)).toBe(true);
  });
});

describe("tool calls", () => {
  test("a full round trip: tool_calls → tool message → answer", async () => {
    const first = await client.chat.completions.create({ model: "l", messages: ask("Weather in Paris?"), tools: [weatherTool] });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const [call] = choice.message.tool_calls as OpenAI.Chat.ChatCompletionMessageFunctionToolCall[];
    // (no asymmetric matchers here: Bun 1.4.5's toMatchObject writes them into the object it checks, and this
    // message is sent back below)
    expect(call!.id).toMatch(/^toolu_/);
    expect(call).toMatchObject({ type: "function", function: { name: "get_weather" } });
    expect(JSON.parse(call!.function.arguments)).toEqual({ city: "example" });

    const second = await client.chat.completions.create({
      model: "l",
      tools: [weatherTool],
      messages: [...ask("Weather in Paris?"), choice.message, { role: "tool", tool_call_id: call!.id, content: "Sunny, 21°C" }],
    });
    expect(second.choices[0]).toMatchObject({ message: { content: "Tool result received: Sunny, 21°C" }, finish_reason: "stop" });
    expect((lastUpstream().messages as unknown[]).at(-1)).toEqual({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: call!.id, content: "Sunny, 21°C" }],
    });
  });

  test("the round trip streamed through the stream() helper, with tool-call fragments on stable indices", async () => {
    const stream = client.chat.completions.stream({ model: "l", messages: ask("Weather in Paris?"), tools: [weatherTool] });
    const fragments: OpenAI.Chat.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    stream.on("chunk", (chunk) => fragments.push(...(chunk.choices[0]?.delta.tool_calls ?? [])));
    const done: string[] = [];
    stream.on("tool_calls.function.arguments.done", (event) => done.push(event.arguments));
    const first = await stream.finalChatCompletion();
    const message = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    expect(fragments[0]).toMatchObject({
      index: 0,
      id: expect.stringMatching(/^toolu_/),
      type: "function",
      function: { name: "get_weather", arguments: "" },
    });
    expect(fragments.length).toBeGreaterThan(2);
    for (const fragment of fragments.slice(1)) expect(Object.keys(fragment).sort()).toEqual(["function", "index"]);
    expect(fragments.every((fragment) => fragment.index === 0)).toBe(true);
    expect(done.map((args) => JSON.parse(args))).toEqual([{ city: "example" }]);

    const call = message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    const second = await client.chat.completions
      .stream({
        model: "l",
        tools: [weatherTool],
        messages: [...ask("Weather in Paris?"), message, { role: "tool", tool_call_id: call.id, content: "Rain" }],
      })
      .finalChatCompletion();
    expect(second.choices[0]).toMatchObject({ message: { content: "Tool result received: Rain" }, finish_reason: "stop" });
  });

  test('tool_choice "required" → tool_choice any upstream, and a tool call back', async () => {
    const completion = await client.chat.completions.create({
      model: "l",
      messages: ask("Hi"),
      tools: [weatherTool],
      tool_choice: "required",
    });
    expect(lastUpstream().tool_choice).toEqual({ type: "any" });
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
  });

  test("a named tool_choice and parallel_tool_calls: false", async () => {
    await client.chat.completions.create({
      model: "l",
      messages: ask("Hi"),
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      parallel_tool_calls: false,
    });
    expect(lastUpstream().tool_choice).toEqual({ type: "tool", name: "get_weather", disable_parallel_tool_use: true });
  });

  test("legacy functions / function_call get function_call back", async () => {
    const completion = await client.chat.completions.create({
      model: "l",
      messages: ask("Weather?"),
      functions: [weatherTool.function],
      function_call: { name: "get_weather" },
    });
    expect(completion.choices[0]).toMatchObject({
      finish_reason: "function_call",
      message: { function_call: { name: "get_weather", arguments: '{"city":"example"}' } },
    });
  });
});

describe("images and reasoning", () => {
  test.each<[string, string, string]>([
    ["a data URL", `data:image/png;base64,${TINY_PNG_BASE64}`, "I see a image/png image."],
    ["an http URL", "https://example.com/cat.png", "I see a url image."],
  ])("image input as %s", async (_name, url, answer) => {
    const completion = await client.chat.completions.create({
      model: "l",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url } },
          ],
        },
      ],
    });
    expect(completion.choices[0]!.message.content).toBe(answer);
  });

  test("reasoning_effort → adaptive thinking and effort upstream, reasoning_content back (whole and streamed)", async () => {
    const params: Params = { model: "l", messages: ask("Think"), reasoning_effort: "medium", temperature: 0.2 };
    const whole = await client.chat.completions.create(params);
    const sent = lastUpstream();
    expect(sent.thinking).toEqual({ type: "adaptive", display: "summarized" });
    expect(sent.output_config).toEqual({ effort: "medium" });
    expect(sent.max_tokens).toBe(8192);
    expect(sent.temperature).toBeUndefined();
    const message = whole.choices[0]!.message as OpenAI.Chat.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.reasoning_content).toBe(`The user wants an answer from ${SONNET}. I will reply briefly.`);
    const chunks = await collect(await client.chat.completions.create({ ...params, stream: true }));
    const reasoning = chunks
      .map((chunk) => (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? "")
      .join("");
    expect(reasoning).toBe(message.reasoning_content!);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(message.content!);
  });
});

describe("errors in OpenAI's shape", () => {
  test("n: 2 is refused with 400 and param n, without calling upstream", async () => {
    const before = env.fake.requests.length;
    const error = await client.chat.completions.create({ model: "l", messages: ask("Hi"), n: 2 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "n", type: "invalid_request_error" });
    expect(env.fake.requests.length).toBe(before);
  });

  test("bad input names the field", async () => {
    const response = await fetch(`${env.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "l", messages: [{ role: "robot", content: "Hi" }] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ param: "messages[0].role", type: "invalid_request_error" });
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  });

  test.each<[number, string, boolean, abstract new (...args: never[]) => unknown]>([
    [429, "RateLimitError", false, OpenAI.RateLimitError],
    [429, "RateLimitError", true, OpenAI.RateLimitError],
    [529, "InternalServerError", false, OpenAI.InternalServerError],
    [529, "InternalServerError", true, OpenAI.InternalServerError],
  ])("upstream %d → %s with the status and retry-after (stream: %p)", async (status, _name, stream, kind) => {
    env.fake.fault({ status, headers: { "retry-after": "7" } });
    const error = await client.chat.completions.create({ model: "l", messages: ask("Hi"), stream }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(kind);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(status);
    expect(apiError.headers?.get("retry-after")).toBe("7");
    expect(apiError.message).toContain(status === 429 ? "rate limit" : "Overloaded");
    expect(apiError.error).toMatchObject({
      type: status === 429 ? "rate_limit_error" : "server_error",
      code: status === 429 ? "rate_limit_error" : "overloaded_error",
    });
  });

  test("an upstream error mid-stream surfaces as an APIError and ends the stream", async () => {
    env.fake.fault({ kind: "stream-error", afterEvents: 4, error: { type: "overloaded_error", message: "Overloaded mid-stream" } });
    const seen: Chunk[] = [];
    const stream = await client.chat.completions.create({ model: "l", messages: ask("Hi there, a long one"), stream: true });
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain("Overloaded mid-stream");
    expect(seen[0]!.choices[0]!.delta.role).toBe("assistant");
  });

  test("an upstream error mid-stream makes the stream() helper reject", async () => {
    env.fake.fault({ kind: "stream-error", afterEvents: 3 });
    const error = await client.chat.completions
      .stream({ model: "l", messages: ask("Hi") })
      .finalChatCompletion()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });

  test("a connection reset mid-stream surfaces as an error, not a silently short answer", async () => {
    env.fake.fault({ kind: "reset", afterEvents: 4 });
    const stream = await client.chat.completions.create({ model: "l", messages: ask("Hi there"), stream: true });
    const error = await (async () => {
      for await (const _chunk of stream);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });

  test("not logged in → 401 AuthenticationError", async () => {
    const loggedOut = await startProxy(env.fake);
    try {
      const other = new OpenAI({ apiKey: "x", baseURL: `${loggedOut.url}/v1`, maxRetries: 0 });
      const error = await other.chat.completions.create({ model: "l", messages: ask("Hi") }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((error as Error).message).toContain("maximize login");
    } finally {
      await loggedOut.stop();
    }
  });

  test("an upstream 400 keeps its status and message", async () => {
    const error = await client.chat.completions.create({ model: "no-such-model", messages: ask("Hi") }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as Error).message).toContain("no-such-model");
  });
});

describe("client goes away", () => {
  test("breaking out of a stream aborts the upstream stream", async () => {
    env.fake.fault({ kind: "drip", delayMs: 1000 });
    const stream = await client.chat.completions.create({ model: "l", messages: ask("Slow, please"), stream: true });
    for await (const _chunk of stream) break;
    const deadline = Date.now() + 2000;
    while (env.fake.activeStreams > 0 && Date.now() < deadline) await Bun.sleep(20);
    expect(env.fake.activeStreams).toBe(0);
  });
});
