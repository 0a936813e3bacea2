import { Elysia } from "elysia";
import { fromChatRequest, usesLegacyFunctions } from "../../openai/request.ts";
import { toChatCompletion, type AnthropicMessage } from "../../openai/response.ts";
import { parseChatRequest } from "../../openai/schema.ts";
import { chatStream } from "../../openai/pump.ts";
import { createChatStreamTranslator } from "../../openai/stream.ts";
import { createThinkingCollector, thinkingOfAnswer, type AnswerThinking } from "../../openai/thinking-cache.ts";
import { downstreamHeaders } from "../../upstream/headers.ts";
import { apiErrorFromUpstream } from "../../upstream/upstream-error.ts";
import type { RouteDeps } from "../deps.ts";
import { readJsonBody } from "../body.ts";
import { ApiError } from "../../shared/errors.ts";
import { forwardForClient } from "./forward.ts";

/** POST /v1/chat/completions: OpenAI in, Anthropic upstream (through the one shared upstream path), OpenAI out. */
export function openaiRoutes(deps: RouteDeps) {
  return new Elysia({ name: "openai" }).post(
    "/v1/chat/completions",
    async ({ body, request }) => {
      const chat = parseChatRequest(body);
      const resolution = await deps.models.resolve(chat.model);
      const anthropic = fromChatRequest(chat, {
        model: resolution.model,
        modelInfo: deps.models.info(resolution.model),
        version: request.headers.get("anthropic-version"),
        note: (message) => deps.log.debug(`/v1/chat/completions ${resolution.model}: ${message}`),
        recallThinking: (id) => {
          const blocks = deps.thinking.recall(id);
          deps.metrics.thinkingLookup(blocks ? "hit" : "miss");
          return blocks;
        },
      });
      const remember = ({ toolCallIds, blocks }: AnswerThinking) => {
        if (toolCallIds.length > 0) deps.thinking.remember(toolCallIds, blocks);
      };
      // Answers name the model that answered (upstream's); this is for an answer that does not say.
      const model = resolution.model;
      const legacyFunctions = usesLegacyFunctions(chat);
      const streaming = chat.stream === true;

      const response = await forwardForClient(deps, request, { path: "/v1/messages", body: anthropic, resolution, streaming });

      // Upstream errors keep their status (and retry-after) and are told in OpenAI's shape by the app's error handler.
      if (!response.ok) throw await apiErrorFromUpstream(response);

      if (!streaming) {
        const message = (await response.json().catch((error: unknown) => {
          throw new ApiError(502, `the Anthropic API answer could not be read: ${(error as Error)?.message ?? String(error)}`);
        })) as AnthropicMessage;
        remember(thinkingOfAnswer(message.content));
        return Response.json(toChatCompletion(message, { model, legacyFunctions }), { headers: downstreamHeaders(response.headers) });
      }

      const translator = createChatStreamTranslator({ model, includeUsage: chat.stream_options?.include_usage === true, legacyFunctions });
      if (!response.body) throw new ApiError(502, "the Anthropic API answered a streaming request with no body");
      // Upstream's text/event-stream content type and no-cache headers carry over (downstreamHeaders).
      const collector = createThinkingCollector();
      const watcher = { event: collector.event, end: () => remember(collector.result()) };
      return new Response(chatStream(response.body, translator, watcher), { headers: downstreamHeaders(response.headers) });
    },
    { parse: ({ request }) => readJsonBody(request) },
  );
}
