import { Elysia } from "elysia";
import * as v from "valibot";
import { ApiError } from "../errors.ts";
import type { RouteDeps } from "../app.ts";

const UpstreamModels = v.looseObject({
  data: v.array(v.looseObject({ id: v.string(), display_name: v.optional(v.string()), created_at: v.optional(v.string()) })),
});

const unixSeconds = (iso: string | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) || 0 : 0);

/**
 * GET /v1/models: the upstream list plus one entry per nickname, in a shape both SDKs accept
 * (Anthropic: type/display_name/created_at/has_more; OpenAI: object/created/owned_by).
 */
export function modelsRoutes(deps: RouteDeps) {
  return new Elysia({ name: "models" }).get("/v1/models", async ({ request }) => {
    const response = await deps.upstream.send({
      method: "GET",
      path: "/v1/models?limit=1000",
      clientHeaders: request.headers,
      signal: request.signal,
    });
    if (!response.ok) return response;
    const parsed = v.safeParse(UpstreamModels, await response.json().catch(() => undefined));
    if (!parsed.success) throw new ApiError(502, "the Anthropic API answered /v1/models with an unexpected body");
    const upstream = parsed.output.data.map((model) => ({
      type: "model",
      id: model.id,
      display_name: model.display_name ?? model.id,
      created_at: model.created_at ?? new Date(0).toISOString(),
      object: "model",
      created: unixSeconds(model.created_at),
      owned_by: "anthropic",
    }));
    const byId = new Map(upstream.map((model) => [model.id, model]));
    const nicknames = Object.entries(deps.config.models.nicknames).map(([nickname, target]) => {
      const created_at = byId.get(target)?.created_at ?? new Date(0).toISOString();
      return {
        type: "model",
        id: nickname,
        display_name: `${nickname} → ${target}`,
        created_at,
        object: "model",
        created: unixSeconds(created_at),
        owned_by: "maximize",
      };
    });
    const data = [...upstream, ...nicknames];
    return { object: "list", data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
  });
}
