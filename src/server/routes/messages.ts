import { Elysia } from "elysia";
import * as v from "valibot";
import type { RouteDeps } from "../deps.ts";
import { readJsonBody } from "../body.ts";
import { queryOf } from "../paths.ts";
import { forwardForClient } from "./forward.ts";

/** What maximize itself needs of a Messages body; everything else passes through untouched. */
const MessagesBody = v.pipe(
  v.custom<Record<string, unknown>>(
    (input) => typeof input === "object" && input !== null && !Array.isArray(input),
    "the request body must be a JSON object",
  ),
  v.looseObject({
    model: v.optional(v.string("model must be a string")),
    messages: v.array(v.unknown(), "messages must be an array of message objects"),
    stream: v.optional(v.boolean("stream must be true or false")),
  }),
);

const jsonBody = ({ request }: { request: Request }) => readJsonBody(request);

/** POST /v1/messages and /v1/messages/count_tokens: shaped, sent upstream, answered faithfully. */
export function messagesRoutes(deps: RouteDeps) {
  const forward =
    (path: string, effort: boolean) =>
    async ({ body, request }: { body: Record<string, unknown> & { model?: string; stream?: boolean }; request: Request }) =>
      forwardForClient(deps, request, {
        path: path + queryOf(request.url),
        body,
        resolution: await deps.models.resolve(body.model),
        streaming: body.stream === true,
        effort,
      });
  return new Elysia({ name: "messages" })
    .post("/v1/messages", forward("/v1/messages", true), { parse: jsonBody, body: MessagesBody })
    .post("/v1/messages/count_tokens", forward("/v1/messages/count_tokens", false), { parse: jsonBody, body: MessagesBody });
}
