import { Elysia } from "elysia";
import * as v from "valibot";
import type { RouteDeps } from "../deps.ts";
import { readJsonBody } from "../body.ts";
import { ApiError } from "../../shared/errors.ts";
import { describeIssues } from "../../shared/issues.ts";
import { queryOf } from "../paths.ts";
import { forwardForClient } from "./forward.ts";

/** What maximize itself needs of a Messages body; everything else passes through untouched. */
const MessagesBody = v.looseObject({
  model: v.optional(v.string()),
  messages: v.array(v.unknown()),
  stream: v.optional(v.boolean()),
});
type MessagesBody = v.InferOutput<typeof MessagesBody>;

const jsonBody = ({ request }: { request: Request }) => readJsonBody(request);

/** The body checked for what maximize needs; a problem is a 400 in plain words (shared/issues.ts). */
function checkBody(body: unknown): MessagesBody {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ApiError(400, "the request body must be a JSON object");
  const result = v.safeParse(MessagesBody, body);
  if (!result.success) throw new ApiError(400, describeIssues(result.issues, "the request body"));
  return result.output;
}

/** POST /v1/messages and /v1/messages/count_tokens: shaped, sent upstream, answered faithfully. */
export function messagesRoutes(deps: RouteDeps) {
  const forward =
    (path: string, effort: boolean) =>
    async ({ body: raw, request }: { body: unknown; request: Request }) => {
      const body = checkBody(raw);
      return forwardForClient(deps, request, {
        path: path + queryOf(request.url),
        body,
        resolution: await deps.models.resolve(body.model),
        streaming: body.stream === true,
        effort,
      });
    };
  return new Elysia({ name: "messages" })
    .post("/v1/messages", forward("/v1/messages", true), { parse: jsonBody })
    .post("/v1/messages/count_tokens", forward("/v1/messages/count_tokens", false), { parse: jsonBody });
}
