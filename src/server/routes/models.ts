import { Elysia } from "elysia";
import * as v from "valibot";
import type { Resolution } from "../../models/catalogue.ts";
import { ApiError } from "../../shared/errors.ts";
import { describeIssue } from "../../shared/issues.ts";
import type { RouteDeps } from "../deps.ts";
import { queryOf } from "../paths.ts";

/** Loose at every level: every field upstream sends (today's and future ones) reaches the client. */
const ModelObject = v.looseObject({ id: v.string(), created_at: v.optional(v.nullable(v.string())) });
const ModelList = v.looseObject({ data: v.array(ModelObject) });
type ModelObject = v.InferOutput<typeof ModelObject>;

/** The release time; a model the catalogue does not date (a pin to an unlisted ID) reads as now, never as 1970. */
const unixSeconds = (iso: string | null | undefined) =>
  Math.floor((iso ? Date.parse(iso) : Number.NaN) / 1000) || Math.floor(Date.now() / 1000);

/** Anthropic's ModelInfo, whole, plus the fields the OpenAI SDK reads. */
const withOpenAIFields = (model: ModelObject, ownedBy = "anthropic") => ({
  ...model,
  object: "model",
  created: unixSeconds(model.created_at),
  owned_by: ownedBy,
});

/** A nickname as a model: the model it resolves to now, under the nickname's id, with what it resolves to. */
function describeNickname(resolution: Resolution, target: ModelObject) {
  const effort = resolution.effort ? ` (effort ${resolution.effort})` : "";
  return {
    ...withOpenAIFields(target, "maximize"),
    id: resolution.nickname ?? resolution.requested,
    display_name: `${resolution.nickname} → ${resolution.model}${effort}`,
    resolves_to: resolution.model,
    effort: resolution.effort ?? null,
  };
}

/**
 * Nicknames belong on the first page of a listing that shows active models, and not where the client asked for a
 * page size (they would make the page longer than `limit`).
 */
function listsNicknames(query: URLSearchParams): boolean {
  if (query.has("after_id") || query.has("before_id") || query.has("limit")) return false;
  const lifecycles = [...query.getAll("lifecycle[]"), ...query.getAll("lifecycle")];
  return lifecycles.length === 0 || lifecycles.includes("active");
}

/**
 * GET /v1/models and /v1/models/{id}: Anthropic's answer passed on whole (paging and `lifecycle[]` filters
 * included), each model with the OpenAI fields added, and the nicknames listed first with the model each resolves
 * to now.
 */
export function modelsRoutes(deps: RouteDeps) {
  const get = (path: string, request: Request) =>
    deps.upstream.send({ method: "GET", path, clientHeaders: request.headers, signal: request.signal });

  const readJson = async <T extends v.GenericSchema>(response: Response, schema: T, path: string): Promise<v.InferOutput<T>> => {
    const parsed = v.safeParse(schema, await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new ApiError(
        502,
        `the Anthropic API answered ${path} with an unexpected body (${describeIssue(parsed.issues[0], "the body")})`,
      );
    }
    return parsed.output;
  };

  async function nicknameEntries(listed: readonly ModelObject[]) {
    const byId = new Map(listed.map((model) => [model.id, model]));
    const resolutions = await Promise.all(deps.models.nicknames().map((name) => deps.models.resolve(name)));
    return resolutions
      .filter((resolution) => resolution.source !== "exact")
      .map((resolution) =>
        describeNickname(resolution, byId.get(resolution.model) ?? deps.models.info(resolution.model) ?? { id: resolution.model }),
      );
  }

  return new Elysia({ name: "models" })
    .get("/v1/models", async ({ request }) => {
      const query = queryOf(request.url);
      const response = await get(`/v1/models${query}`, request);
      if (!response.ok) return response;
      const page = await readJson(response, ModelList, "/v1/models");
      const data = page.data.map((model) => withOpenAIFields(model));
      const nicknames = listsNicknames(new URLSearchParams(query)) ? await nicknameEntries(page.data) : [];
      // first_id/last_id/has_more stay upstream's, so both SDKs' page iterators keep paging through Anthropic's list.
      return { ...page, object: "list", data: [...nicknames, ...data] };
    })
    .get("/v1/models/:id", async ({ params, request }) => {
      const resolution = deps.models.isNickname(params.id) ? await deps.models.resolve(params.id) : undefined;
      const id = resolution?.source === "exact" || !resolution ? params.id : resolution.model;
      const path = `/v1/models/${encodeURIComponent(id)}`;
      const response = await get(path, request);
      if (!response.ok) return response;
      const model = await readJson(response, ModelObject, path);
      return resolution && resolution.source !== "exact" ? describeNickname(resolution, model) : withOpenAIFields(model);
    });
}
