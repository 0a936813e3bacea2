/** The fake's HTTP server: routing, recording, faults, and the answers themselves. */
import { DEFAULT_CATALOGUE } from "./catalogue.ts";
import { ApiError, errorBody, fail, json, OAuthError, statusForType } from "./errors.ts";
import { FaultQueue, hang, sleep, statusFaultResponse, type Route } from "./faults.ts";
import { authenticate, checkHeaders, type AuthMode } from "./headers.ts";
import { Catalogue, modelById, modelsPage, type FakeModelInfo, type ModelSpec } from "./models.ts";
import {
  CLIENT_ID,
  grantTypeOf,
  handleAuthorize,
  handleToken,
  isAuthorizePath,
  REDIRECT_URI,
  TokenStore,
  DEFAULT_ACCOUNT,
  emailOf,
} from "./oauth.ts";
import { checkPlan, defaultPlan, planForModel, planHeaders, updatePlan, usageBody, type PlanState, type PlanUpdate } from "./plan.ts";
import { checkClaudeCodeVersion, LONG_CONTEXT_EXTRA_USAGE, LONG_CONTEXT_TOKENS } from "./policy.ts";
import { messageId, requestId } from "./random.ts";
import { buildReply, messageJson, scriptedReply } from "./reply.ts";
import { parseRequest, type ParsedRequest } from "./request.ts";
import { RESET_FLUSH_MS, sseBody, streamEvents, type SseEvent, type StreamEnding } from "./sse.ts";
import type { DripFault, FakeAnthropic, Fault, RecordedRequest, ResetFault, StartOptions, StreamErrorFault, TokenPair } from "./types.ts";

const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Release date given to catalogue entries that name none (start options): before the default lineup's newest. */
const UNDATED_RELEASE = "2026-01-01T00:00:00Z";
const OVERLOADED = { type: "overloaded_error", message: "Overloaded" };

interface Body {
  json: boolean;
  value: unknown;
}

function readBody(raw: string): Body {
  if (raw === "") return { json: false, value: undefined };
  try {
    return { json: true, value: JSON.parse(raw) };
  } catch {
    return { json: false, value: raw };
  }
}

function record(req: Request, url: URL, body: Body): RecordedRequest {
  const headers: Record<string, string> = {};
  req.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { method: req.method, path: url.pathname, query: url.search.slice(1), headers, body: body.value };
}

function apiRoute(method: string, path: string): Exclude<Route, "token"> | undefined {
  if (method === "POST" && path === "/v1/messages") return "messages";
  if (method === "POST" && path === "/v1/messages/count_tokens") return "count_tokens";
  if (method === "GET" && (path === "/v1/models" || path.startsWith("/v1/models/"))) return "models";
  if (method === "GET" && path === "/api/oauth/usage") return "usage";
  return undefined;
}

function renderError(error: unknown, id: string): Response {
  if (error instanceof ApiError) return json(error.status, error.body(id), error.headers);
  if (error instanceof OAuthError) return json(error.status, error.body());
  console.error("fake-anthropic: internal error", error);
  return json(500, errorBody("api_error", `fake-anthropic bug: ${String(error)}`, id));
}

/** A 200 whose body is cut off halfway: what a reset looks like to a non-streaming client. */
function truncatedJson(body: unknown): Response {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  let sent = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent) return Bun.sleep(RESET_FLUSH_MS).then(() => controller.error());
      sent = true;
      controller.enqueue(bytes.subarray(0, Math.floor(bytes.length / 2)));
    },
  });
  return new Response(stream, { headers: { "content-type": "application/json" } });
}

/** What the route learned about the caller, for headers added after the answer is built. */
interface CallContext {
  mode?: AuthMode;
  account?: string;
  /** The model a Messages request named (a model's own weekly window only binds that model). */
  model?: string;
}

export class FakeServer implements FakeAnthropic {
  readonly url: string;
  readonly tokenUrl: string;
  readonly authorizeUrl: string;
  readonly clientId = CLIENT_ID;
  readonly redirectUri = REDIRECT_URI;
  readonly requests: RecordedRequest[] = [];
  readonly tokenRequests: RecordedRequest[] = [];
  private readonly counts = { refresh: 0, exchange: 0, streams: 0 };
  private readonly faults = new FaultQueue();
  private readonly tokens: TokenStore;
  private readonly apiKeys: readonly string[];
  private readonly catalogue: Catalogue;
  private readonly minClaudeCodeVersion: string;
  /** Each account's plan; an account a test never set starts from the options' plan. */
  private readonly plans = new Map<string, PlanState>();
  private readonly initialPlan: PlanState;
  private readonly server: ReturnType<typeof Bun.serve>;

  constructor(options: StartOptions) {
    this.tokens = new TokenStore(options.accessTokenTtlSeconds ?? 28800);
    this.apiKeys = options.apiKeys ?? [];
    this.catalogue = new Catalogue(options.models ?? DEFAULT_CATALOGUE, UNDATED_RELEASE);
    this.minClaudeCodeVersion = options.minClaudeCodeVersion ?? "2.1.0";
    this.initialPlan = updatePlan(defaultPlan(), options.plan ?? {});
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      idleTimeout: 0,
      reusePort: false,
      development: false,
      maxRequestBodySize: 2 * MAX_BODY_BYTES,
      fetch: (req) => this.handle(req),
    });
    this.url = `http://127.0.0.1:${this.server.port}`;
    this.tokenUrl = `${this.url}/v1/oauth/token`;
    this.authorizeUrl = `${this.url}/cai/oauth/authorize`;
  }

  get refreshCalls() {
    return this.counts.refresh;
  }
  get exchangeCalls() {
    return this.counts.exchange;
  }
  get activeStreams() {
    return this.counts.streams;
  }
  get plan(): PlanState {
    return this.planOf(DEFAULT_ACCOUNT);
  }
  planOf(account: string): PlanState {
    return this.plans.get(account) ?? this.initialPlan;
  }

  issueTokens(opts: { expiresIn?: number; account?: string } = {}): TokenPair {
    return this.tokens.issue(opts.expiresIn, undefined, undefined, opts.account);
  }
  loginAs(account: string): void {
    this.tokens.loginAccount = account;
  }
  emailOf(account: string): string {
    return emailOf(account);
  }
  revokeAccessToken(token: string): void {
    this.tokens.revokeAccess(token);
  }
  revokeRefreshToken(token: string): void {
    this.tokens.revokeRefresh(token);
  }
  fault(f: Fault): void {
    this.faults.add(f);
  }
  clearFaults(): void {
    this.faults.clear();
  }
  releaseModel(spec: ModelSpec): FakeModelInfo {
    return this.catalogue.release(spec);
  }
  deprecateModel(id: string, retiresAt?: string): FakeModelInfo {
    return this.catalogue.deprecate(id, retiresAt ?? null);
  }
  retireModel(id: string): FakeModelInfo {
    return this.catalogue.retire(id);
  }
  setPlan(update: PlanUpdate, account = DEFAULT_ACCOUNT): void {
    this.plans.set(account, updatePlan(this.planOf(account), update));
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
  async close(): Promise<void> {
    await this.server.stop(true);
  }

  private async handle(req: Request): Promise<Response> {
    const id = requestId();
    const call: CallContext = {};
    const response = await this.route(req, id, call).catch((error: unknown) => renderError(error, id));
    response.headers.set("request-id", id);
    // Every answer to a subscription caller carries the plan's state; an error or fault may already have set some.
    if (call.mode === "oauth") {
      for (const [name, value] of Object.entries(planHeaders(planForModel(this.planOf(call.account ?? DEFAULT_ACCOUNT), call.model)))) {
        if (!response.headers.has(name)) response.headers.set(name, value);
      }
    }
    return response;
  }

  private async route(req: Request, id: string, call: CallContext): Promise<Response> {
    const url = new URL(req.url);
    if (req.method === "GET" && isAuthorizePath(url.pathname)) return handleAuthorize(url, this.tokens);
    if (url.pathname === "/v1/oauth/token") return this.token(req, url, id);
    const body = readBody(await req.text());
    const recorded = record(req, url, body);
    if (url.pathname.startsWith("/v1/") || url.pathname.startsWith("/api/")) this.requests.push(recorded);
    const route = apiRoute(req.method, url.pathname);
    if (!route) fail(`Not found: ${req.method} ${url.pathname}`, 404);
    if (typeof body.value === "string" && body.value.length > MAX_BODY_BYTES) fail("Request exceeds 32 MB", 413);
    const { mode, account } = authenticate(req.headers, this.apiKeys, this.tokens);
    call.mode = mode;
    call.account = account;
    if (account !== undefined) recorded.account = account;
    if (route === "usage") return this.usageAnswer(mode, account, req.signal, id);
    const version = checkHeaders(req.headers);
    if (route === "models") return this.modelsAnswer(url, account, req.signal, id);
    checkClaudeCodeVersion(req.headers.get("user-agent"), this.minClaudeCodeVersion);
    if (!body.json) fail("There was an error parsing the body of your request: it is not valid JSON");
    const request = parseRequest(body.value, { route, mode, catalogue: this.catalogue, version });
    call.model = request.entry.info.id;
    if (mode === "oauth" && route === "messages")
      this.checkSubscription(request, planForModel(this.planOf(account ?? DEFAULT_ACCOUNT), call.model));
    const fault = this.faults.take(route, account);
    const replaced = await this.replacedByFault(fault, route, req.signal, id);
    if (replaced) return replaced;
    if (route === "count_tokens") return json(200, { input_tokens: request.inputTokens });
    return this.messagesAnswer(request, fault, req.signal, id);
  }

  /** What a subscription refuses before any inference: a rejected plan, and long context without extra usage. */
  private checkSubscription(request: ParsedRequest, plan: PlanState): void {
    checkPlan(plan);
    if (request.inputTokens > LONG_CONTEXT_TOKENS && !plan.extraUsage.is_enabled) {
      throw new ApiError(429, LONG_CONTEXT_EXTRA_USAGE, "rate_limit_error");
    }
  }

  /** A fault that answers instead of the fake (status, hang), or delays it (token delay); undefined = go on. */
  private async replacedByFault(fault: Fault | undefined, route: Route, signal: AbortSignal, id: string): Promise<Response | undefined> {
    if (!fault) return undefined;
    if ("status" in fault) {
      if (fault.delayMs) await sleep(fault.delayMs, signal);
      return statusFaultResponse(fault, route, id);
    }
    if (fault.kind === "hang") return hang(signal);
    if (fault.kind === "delay") await sleep(fault.delayMs, signal);
    return undefined;
  }

  private async modelsAnswer(url: URL, account: string | undefined, signal: AbortSignal, id: string): Promise<Response> {
    const single = decodeURIComponent(url.pathname.slice("/v1/models/".length));
    const body = single === "" ? modelsPage(this.catalogue, url.searchParams) : modelById(this.catalogue, single);
    const replaced = await this.replacedByFault(this.faults.take("models", account), "models", signal, id);
    return replaced ?? json(200, body);
  }

  /** GET /api/oauth/usage: subscription callers only (it describes a plan; an API key has none). */
  private async usageAnswer(mode: AuthMode, account: string | undefined, signal: AbortSignal, id: string): Promise<Response> {
    if (mode !== "oauth") throw new ApiError(401, "OAuth authentication is required for this endpoint.");
    const replaced = await this.replacedByFault(this.faults.take("usage", account), "usage", signal, id);
    return replaced ?? json(200, usageBody(this.planOf(account ?? DEFAULT_ACCOUNT)));
  }

  private async token(req: Request, url: URL, id: string): Promise<Response> {
    const body = readBody(await req.text());
    this.tokenRequests.push(record(req, url, body));
    if (req.method !== "POST") throw new OAuthError(405, "invalid_request", "Use POST");
    const grant = grantTypeOf(body.value);
    if (grant === "refresh_token") this.counts.refresh += 1;
    if (grant === "authorization_code") this.counts.exchange += 1;
    const replaced = await this.replacedByFault(this.faults.take("token"), "token", req.signal, id);
    return replaced ?? handleToken(req.headers.get("content-type"), body.value, this.tokens);
  }

  private async messagesAnswer(request: ParsedRequest, fault: Fault | undefined, signal: AbortSignal, reqId: string) {
    const reply = fault && "kind" in fault && fault.kind === "script" ? scriptedReply(request, fault) : buildReply(request);
    const id = messageId();
    const shaping = shapingFault(fault);
    if (request.stream) return this.streamAnswer(streamEvents(id, reply), shaping, signal, reqId);
    const message = messageJson(id, reply);
    if (shaping?.kind === "drip") await sleep(shaping.delayMs, signal);
    if (shaping?.kind === "reset") return truncatedJson(message);
    if (shaping?.kind === "stream-error") {
      const error = shaping.error ?? OVERLOADED;
      return json(statusForType(error.type), errorBody(error.type, error.message, reqId));
    }
    return json(200, message);
  }

  private streamAnswer(events: SseEvent[], fault: ShapingFault | undefined, signal: AbortSignal, reqId: string) {
    const delayMs = fault?.kind === "drip" ? fault.delayMs : 0;
    const hooks = { opened: () => (this.counts.streams += 1), closed: () => (this.counts.streams -= 1) };
    const body = sseBody(events, streamEnding(fault, reqId), delayMs, signal, hooks);
    const headers = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };
    return new Response(body, { headers });
  }
}

/** Faults that shape a /v1/messages answer rather than replace it. */
type ShapingFault = ResetFault | StreamErrorFault | DripFault;

function shapingFault(fault: Fault | undefined): ShapingFault | undefined {
  if (!fault || !("kind" in fault)) return undefined;
  return fault.kind === "reset" || fault.kind === "stream-error" || fault.kind === "drip" ? fault : undefined;
}

function streamEnding(fault: ShapingFault | undefined, reqId: string): StreamEnding {
  if (fault?.kind === "reset") return { kind: "reset", afterEvents: fault.afterEvents };
  if (fault?.kind !== "stream-error") return { kind: "complete" };
  const error = fault.error ?? OVERLOADED;
  return {
    kind: "error",
    afterEvents: fault.afterEvents,
    error: { event: "error", data: { type: "error", error, request_id: reqId } },
  };
}
