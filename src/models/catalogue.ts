/**
 * The live model catalogue: Anthropic's `GET /v1/models`, fetched at start-up and again when it is older than
 * `models.refresh_interval` or a resolved model answered 404, so a newly released model is picked up by a running
 * maximize. Nicknames resolve against it; when it cannot be fetched, against the built-in fallback table (logged).
 */
import { AuthError } from "../shared/errors.ts";
import * as v from "valibot";
import type { NicknameConfig } from "../config/schema.ts";
import { describeIssue } from "../shared/issues.ts";
import { FALLBACK_MODELS } from "./fallback.ts";
import { ModelPageSchema, fitEffort, isActive, newestFirst, type Effort, type ModelInfo } from "./info.ts";
import { nicknameTable, type NicknameDefinition } from "./nicknames.ts";

/** Where a resolution came from: the live catalogue, the built-in table, a config pin, or the client's own ID. */
export type ModelSource = "live" | "fallback" | "config" | "exact";

export interface Resolution {
  /** What the client asked for ("" when it named no model). */
  requested: string;
  /** The model ID sent upstream. */
  model: string;
  /** The effort a nickname adds (only where the client set none). */
  effort?: Effort;
  /** The model's line when the catalogue knows it. */
  line?: string;
  nickname?: string;
  source: ModelSource;
}

export interface NicknameRow {
  nickname: string;
  model: string | null;
  effort: Effort | null;
  source: ModelSource | "unresolved";
  /** The definition it came from, e.g. "line sonnet, effort low". */
  definition: string;
}

export interface CatalogueSnapshot {
  source: "live" | "fallback";
  /** When the live list was last fetched (ms), if ever. */
  fetched_at: number | null;
  /** Why the last fetch failed, if it did. */
  error: string | null;
  models: ModelInfo[];
  nicknames: NicknameRow[];
}

export interface ModelCatalogue {
  /** Resolves a model name (a nickname, an ID, or nothing → the default) for one request. */
  resolve(name: string | undefined | null): Promise<Resolution>;
  /** Fetches the list now (single-flight: concurrent callers share one fetch). */
  refresh(): Promise<void>;
  /**
   * After a 404 for a model a nickname resolved to: a fetch that starts after this call (never one already under way,
   * which may predate the retirement), at most once per `staleRefreshMs`. Resolves true when it fetched.
   */
  refreshAfterNotFound(): Promise<boolean>;
  /** The nicknames, in table order. */
  nicknames(): string[];
  /** The model info for an ID, when the catalogue in use lists it. */
  info(id: string): ModelInfo | undefined;
  /** Everything known now, for `maximize models` and the log. */
  snapshot(): CatalogueSnapshot;
  /** True when `name` is a nickname. */
  isNickname(name: string): boolean;
  /** New nicknames and default (a config reload): requests resolved from now on use them. */
  configure(nicknames: CatalogueOptions["nicknames"], defaultModel: string): void;
}

export interface CatalogueOptions {
  /** One page of `GET /v1/models` for a query string such as "limit=1000&after_id=…". */
  fetchPage(query: string): Promise<Response>;
  nicknames: Readonly<Record<string, NicknameConfig>>;
  /** The model or nickname for requests that name none. */
  defaultModel: string;
  refreshIntervalMs: number;
  /** After a failed fetch, wait this long before trying again on the next request. */
  retryAfterMs?: number;
  /** How long the first request waits for the start-up fetch before it goes on with the fallback table. */
  firstWaitMs?: number;
  /** The least time between two fetches forced by 404s. */
  staleRefreshMs?: number;
  now?: () => number;
  log?: { info(message: string): void; warn(message: string): void };
}

const PAGE_LIMIT = 1000;
const MAX_PAGES = 20;

const describeDefinition = (definition: NicknameDefinition) =>
  [definition.model ? `model ${definition.model}` : `line ${definition.line ?? "?"}`, definition.effort && `effort ${definition.effort}`]
    .filter(Boolean)
    .join(", ");

/** Every page of the catalogue (the API pages by `after_id` while `has_more`). */
async function fetchAll(fetchPage: CatalogueOptions["fetchPage"]): Promise<ModelInfo[]> {
  const models: ModelInfo[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = `limit=${PAGE_LIMIT}${after ? `&after_id=${encodeURIComponent(after)}` : ""}`;
    const response = await fetchPage(query);
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      const message = /"message"\s*:\s*"([^"]*)"/.exec(text)?.[1];
      throw new Error(`GET /v1/models answered ${response.status}${message ? ` (${message})` : ""}`);
    }
    const parsed = v.safeParse(ModelPageSchema, await response.json().catch(() => undefined));
    if (!parsed.success)
      throw new Error(`GET /v1/models answered with an unexpected body (${describeIssue(parsed.issues[0], "the body")})`);
    models.push(...parsed.output.data);
    after = parsed.output.last_id ?? parsed.output.data.at(-1)?.id;
    if (!parsed.output.has_more || !after) return models;
  }
  return models;
}

export function createModelCatalogue(options: CatalogueOptions): ModelCatalogue {
  const now = options.now ?? Date.now;
  const retryAfterMs = options.retryAfterMs ?? Math.min(60_000, options.refreshIntervalMs);
  let table = nicknameTable(options.nicknames);
  let defaultModel = options.defaultModel;
  let live: ModelInfo[] | undefined;
  let fetchedAt: number | undefined;
  let lastError: string | undefined;
  let nextAttemptAt = 0;
  let inFlight: Promise<void> | undefined;
  /** The first request's wait for the start-up fetch; later requests never wait. */
  let firstWait: Promise<void> | undefined;
  let lastForcedAt = Number.NEGATIVE_INFINITY;

  const models = () => live ?? [...FALLBACK_MODELS];
  const source = (): "live" | "fallback" => (live ? "live" : "fallback");

  function refresh(): Promise<void> {
    inFlight ??= fetchAll(options.fetchPage)
      .then((list) => {
        const first = live === undefined;
        const before = first ? "" : describeResolved();
        live = list;
        fetchedAt = now();
        lastError = undefined;
        nextAttemptAt = fetchedAt + options.refreshIntervalMs;
        const after = describeResolved();
        if (first || after !== before) options.log?.info(`models (live catalogue, ${list.length} listed): ${after}`);
      })
      .catch((error: unknown) => {
        const message = ((error as Error)?.message ?? String(error)).replace(/\.$/, "");
        const changed = message !== lastError;
        lastError = message;
        nextAttemptAt = now() + retryAfterMs;
        if (!changed) return;
        const using = live ? "keeping the catalogue fetched earlier" : `using the built-in table: ${describeResolved()}`;
        // Without a usable login the cause has been said already (at start-up, or by the keep-alive): no second warning.
        const cause = error instanceof AuthError ? "info" : "warn";
        options.log?.[cause](`cannot fetch Anthropic's model catalogue (${message}); ${using}`);
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  /**
   * The newest active model of a line in the live catalogue, else its newest deprecated one (still callable), else
   * the fallback table's.
   */
  function newestOfLine(line: string): { model: ModelInfo; source: "live" | "fallback" } | undefined {
    const ofLine = (list: readonly ModelInfo[], keep: (model: ModelInfo) => boolean) =>
      list.filter((model) => model.line === line && keep(model)).sort(newestFirst)[0];
    const fromLive = live ? (ofLine(live, isActive) ?? ofLine(live, (model) => model.lifecycle === "deprecated")) : undefined;
    if (fromLive) return { model: fromLive, source: "live" };
    const fromTable = ofLine(FALLBACK_MODELS, isActive);
    return fromTable ? { model: fromTable, source: "fallback" } : undefined;
  }

  function waitForFirstFetch(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.firstWaitMs ?? 10_000)));
    return Promise.race([inFlight ?? refresh(), waited]).finally(() => clearTimeout(timer));
  }

  function info(id: string): ModelInfo | undefined {
    return models().find((model) => model.id === id) ?? FALLBACK_MODELS.find((model) => model.id === id);
  }

  function resolveNow(name: string): Resolution {
    const requested = name;
    const wanted = name === "" ? defaultModel : name;
    const definition = Object.hasOwn(table, wanted) ? table[wanted] : undefined;
    if (!definition) return { requested, model: wanted, source: "exact", ...lineOf(info(wanted)) };
    const found =
      definition.model !== undefined
        ? { model: info(definition.model) ?? { id: definition.model }, source: "config" as const }
        : definition.line !== undefined
          ? newestOfLine(definition.line)
          : undefined;
    // No model of that line anywhere: send the nickname itself, so upstream's 404 names what was asked for.
    if (!found) return { requested, model: wanted, nickname: wanted, source: "exact" };
    const effort = definition.effort ? fitEffort(definition.effort, found.model) : undefined;
    return {
      requested,
      model: found.model.id,
      nickname: wanted,
      source: found.source,
      ...(effort ? { effort } : {}),
      ...lineOf(found.model),
    };
  }

  function nicknameRows(): NicknameRow[] {
    return Object.entries(table).map(([nickname, definition]) => {
      const resolved = resolveNow(nickname);
      const unresolved = resolved.source === "exact";
      return {
        nickname,
        model: unresolved ? null : resolved.model,
        effort: resolved.effort ?? null,
        source: unresolved ? "unresolved" : resolved.source,
        definition: describeDefinition(definition),
      };
    });
  }

  function describeResolved(): string {
    return nicknameRows()
      .map((row) => `${row.nickname}→${row.model ?? "?"}${row.effort ? `@${row.effort}` : ""}`)
      .join(" ");
  }

  return {
    async resolve(name) {
      if (fetchedAt === undefined && lastError === undefined) {
        // Nothing known yet (the start-up fetch is under way): the first request waits a little for it rather
        // than guess; the others share that one wait.
        firstWait ??= waitForFirstFetch();
        await firstWait;
      } else if (now() >= nextAttemptAt) {
        void refresh(); // stale: fetch in the background, answer with what we have
      }
      return resolveNow(name ?? "");
    },
    async refreshAfterNotFound() {
      if (now() - lastForcedAt < (options.staleRefreshMs ?? 30_000)) return false;
      lastForcedAt = now();
      await inFlight?.catch(() => {}); // it may have started before the model was retired
      await refresh();
      return true;
    },
    nicknames: () => Object.keys(table),
    refresh,
    info,
    isNickname: (name) => Object.hasOwn(table, name),
    configure(nicknames, nextDefault) {
      table = nicknameTable(nicknames);
      defaultModel = nextDefault;
    },
    snapshot: () => ({
      source: source(),
      fetched_at: fetchedAt ?? null,
      error: lastError ?? null,
      models: models(),
      nicknames: nicknameRows(),
    }),
  };
}

const lineOf = (model: ModelInfo | undefined) => (model?.line ? { line: model.line } : {});
