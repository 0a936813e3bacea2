import { Elysia } from "elysia";
import * as v from "valibot";
import { ApiError } from "../errors.ts";
import type { RouteDeps } from "../app.ts";

const UpstreamModels = v.looseObject({
  data: v.array(v.looseObject({ id: v.string(), display_name: v.optional(v.string()), created_at: v.optional(v.string()) })),
});

const isoToUnixSeconds = (iso: string | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) || 0 : 0);
const EPOCH = new Date(0).toISOString();

type UpstreamModel = v.InferOutput<typeof UpstreamModels>["data"][number];

/** One model in a shape both SDKs accept. */
const describeModel = (model: UpstreamModel) => ({
  type: "model",
  id: model.id,
  display_name: model.display_name ?? model.id,
  created_at: model.created_at ?? EPOCH,
  object: "model",
  created: isoToUnixSeconds(model.created_at),
  owned_by: "anthropic",
});

const describeNickname = (nickname: string, target: string, created_at = EPOCH) => ({
  type: "model",
  id: nickname,
  display_name: `${nickname} → ${target}`,
  created_at,
  object: "model",
  created: isoToUnixSeconds(created_at),
  owned_by: "maximize",
});

/**
 * GET /v1/models: the upstream list plus one entry per nickname, in a shape both SDKs accept
 * (Anthropic: type/display_name/created_at/has_more; OpenAI: object/created/owned_by).
 */
export function modelsRoutes(deps: RouteDeps) {
  const get = (path: string, request: Request) =>
    deps.upstream.send({ method: "GET", path, clientHeaders: request.headers, signal: request.signal });

  return new Elysia({ name: "models" }).get("/v1/models", async ({ request }) => {
    const response = await get("/v1/models?limit=1000", request);
    if (!response.ok) return response;
    const parsed = v.safeParse(UpstreamModels, await response.json().catch(() => undefined));
    if (!parsed.success) throw new ApiError(502, "the Anthropic API answered /v1/models with an unexpected body");
    const upstream = parsed.output.data.map(describeModel);
    const byId = new Map(upstream.map((model) => [model.id, model]));
    const nicknames = Object.entries(deps.config.models.nicknames).map(([nickname, target]) =>
      describeNickname(nickname, target, byId.get(target)?.created_at),
    );
    const data = [...upstream, ...nicknames];
    return { object: "list", data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
  }).get("/v1/models/:id", async ({ params, request }) => {
    const target = Object.hasOwn(deps.config.models.nicknames, params.id) ? deps.config.models.nicknames[params.id] : undefined;
    const response = await get(`/v1/models/${encodeURIComponent(target ?? params.id)}`, request);
    if (!response.ok) return response;
    const parsed = v.safeParse(UpstreamModels.entries.data.item, await response.json().catch(() => undefined));
    if (!parsed.success) throw new ApiError(502, `the Anthropic API answered /v1/models/${params.id} with an unexpected body`);
    return target ? describeNickname(params.id, target, parsed.output.created_at) : describeModel(parsed.output);
  });
}
