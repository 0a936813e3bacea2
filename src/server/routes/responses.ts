import { Elysia } from "elysia";
import type { Resolution } from "../../models/catalogue.ts";
import { chatStream } from "../../openai/pump.ts";
import type { AnthropicMessage } from "../../openai/response.ts";
import { fromResponsesRequest, inputItems, type TranslatedResponses } from "../../openai/responses/request.ts";
import { toResponse } from "../../openai/responses/response.ts";
import { parseResponsesRequest, type InputItem, type ResponsesRequest } from "../../openai/responses/schema.ts";
import { expandInput } from "../../openai/responses/store.ts";
import { createResponsesStreamTranslator } from "../../openai/responses/stream.ts";
import type { ResponsesContext } from "../../openai/responses/types.ts";
import { ApiError } from "../../shared/errors.ts";
import { downstreamHeaders } from "../../upstream/headers.ts";
import { apiErrorFromUpstream } from "../../upstream/upstream-error.ts";
import { readJsonBody } from "../body.ts";
import type { RouteDeps } from "../deps.ts";
import { forwardForClient } from "./forward.ts";

const responseId = () => `resp_${crypto.randomUUID().replaceAll("-", "")}`;

/** The request fields a Response object echoes back. */
const ECHOED = [
  "instructions",
  "metadata",
  "parallel_tool_calls",
  "temperature",
  "top_p",
  "tool_choice",
  "tools",
  "max_output_tokens",
  "reasoning",
  "text",
  "store",
  "truncation",
  "user",
  "previous_response_id",
  "service_tier",
] as const;

const echoOf = (request: ResponsesRequest) =>
  Object.fromEntries(ECHOED.filter((key) => request[key] != null).map((key) => [key, request[key]]));

/** A copy of the output without `encrypted_content`, for a client that did not ask for it. */
const withoutSealed = <T extends { output: readonly unknown[] }>(response: T): T => ({
  ...response,
  output: response.output.map((item) => {
    const { encrypted_content: _sealed, ...rest } = item as { encrypted_content?: unknown };
    return rest;
  }),
});

/**
 * POST /v1/responses and /v1/responses/input_tokens: the OpenAI Responses API (Codex CLI, the Agents SDK,
 * `responses.create()`), translated to one Messages call on the shared upstream path.
 */
export function responsesRoutes(deps: RouteDeps) {
  const note = (resolution: Resolution) => (message: string) => deps.log.debug(`/v1/responses ${resolution.model}: ${message}`);

  /** The request's whole input (stored turns expanded), translated; unknown references are a 400 saying what to do. */
  async function translate(
    request: ResponsesRequest,
  ): Promise<{ resolution: Resolution; translated: TranslatedResponses; items: InputItem[] }> {
    const resolution = await deps.models.resolve(request.model);
    const expanded = expandInput(deps.responses, request.previous_response_id, inputItems(request));
    if (expanded.unknownPrevious) {
      throw new ApiError(
        400,
        `previous_response_id ${JSON.stringify(expanded.unknownPrevious)} is not known to this maximize: it keeps recent responses in memory for an hour (and forgets them on restart), and never those sent with store: false — send the full input instead`,
        { param: "previous_response_id" },
      );
    }
    const translated = fromResponsesRequest(request, expanded.items, {
      model: resolution.model,
      modelInfo: deps.models.info(resolution.model),
      version: null,
      note: note(resolution),
      openReasoning: (sealed) => deps.seal.open(sealed),
    });
    return { resolution, translated, items: expanded.items };
  }

  /** Keeps the conversation (with sealed reasoning, whatever the client asked) for later references. */
  function remember(request: ResponsesRequest, id: string, items: InputItem[], output: readonly unknown[] | undefined) {
    if (request.store === false || !output) return;
    deps.responses.put(id, { items: [...items, ...(output as InputItem[])] });
  }

  return new Elysia({ name: "responses" })
    .post(
      "/v1/responses",
      async ({ body, request: http }) => {
        const request = parseResponsesRequest(body);
        const { resolution, translated, items } = await translate(request);
        const streaming = request.stream === true;
        const wantsEncrypted = request.include?.includes("reasoning.encrypted_content") === true;
        const id = responseId();
        // Reasoning is always sealed: the stored copy needs it to continue the conversation, and Codex asks for it.
        // A whole answer leaves it out when not asked for; a stream carries it regardless (an opaque extra field).
        const context: ResponsesContext = {
          id,
          createdAt: Math.floor(Date.now() / 1000),
          model: resolution.model,
          tools: translated.tools,
          echo: echoOf(request),
          sealReasoning: (blocks) => deps.seal.seal(blocks),
        };
        const response = await forwardForClient(deps, http, {
          path: "/v1/messages",
          body: translated.body as Record<string, unknown>,
          resolution,
          streaming,
        });
        if (!response.ok) throw await apiErrorFromUpstream(response);

        if (!streaming) {
          const message = (await response.json().catch((error: unknown) => {
            throw new ApiError(502, `the Anthropic API answer could not be read: ${(error as Error)?.message ?? String(error)}`);
          })) as AnthropicMessage;
          const answer = toResponse(message, context);
          remember(request, id, items, answer.output);
          return Response.json(wantsEncrypted ? answer : withoutSealed(answer), { headers: downstreamHeaders(response.headers) });
        }
        if (!response.body) throw new ApiError(502, "the Anthropic API answered a streaming request with no body");
        const translator = createResponsesStreamTranslator(context);
        const watcher = { event: () => {}, end: () => remember(request, id, items, translator.response?.output) };
        return new Response(chatStream(response.body, translator, watcher), { headers: downstreamHeaders(response.headers) });
      },
      { parse: ({ request }) => readJsonBody(request) },
    )
    .post(
      "/v1/responses/input_tokens",
      async ({ body, request: http }) => {
        const request = parseResponsesRequest({ ...(body as object), stream: false });
        const { resolution, translated } = await translate(request);
        const { max_tokens: _max, stream: _stream, ...countable } = translated.body;
        const response = await forwardForClient(deps, http, {
          path: "/v1/messages/count_tokens",
          body: countable,
          resolution,
          streaming: false,
          effort: false,
        });
        if (!response.ok) throw await apiErrorFromUpstream(response);
        const counted = (await response.json()) as { input_tokens?: number };
        return { object: "response.input_tokens", input_tokens: counted.input_tokens ?? 0 };
      },
      { parse: ({ request }) => readJsonBody(request) },
    );
}
