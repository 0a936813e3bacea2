/**
 * In-process counters, served as Prometheus text on GET /metrics. Created per app (no globals).
 */
import type { AccountView } from "../accounts/view.ts";
import type { PlanState } from "../plan/plan.ts";
import type { TokenUsage } from "../upstream/usage-meter.ts";

/** Upper bounds of the duration histograms, in seconds (Prometheus: `le`, base units). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] as const;

export interface ModelCounts {
  requests: number;
  tokens: TokenUsage;
}

export interface Metrics {
  /** A Messages call sent upstream for a model (the model it resolved to). */
  modelRequest(model: string): void;
  /** Tokens an answer used, by model and kind. */
  tokens(model: string, usage: TokenUsage): void;
  /** Time from sending upstream to its response headers. */
  upstreamTtfb(route: string, seconds: number): void;
  /** A request's whole duration, to the last byte of a stream. */
  requestDuration(route: string, seconds: number): void;
  /** Requests and tokens per model since start (the status page). */
  models(): Record<string, ModelCounts>;
  readonly openStreams: number;
  request(route: string, status: number, seconds: number): void;
  streamEnded(outcome: string): void;
  refresh(outcome: "ok" | "failed"): void;
  /** A request sent upstream with an account (every attempt: a refused one that failed over counts too). */
  accountRequest(account: string): void;
  /** A request moved to another account before anything reached its client (why: plan_limit, login). */
  failover(from: string, to: string, why: string): void;
  /** A request with a proxy key (by its name, never the key): admitted or refused by the key's limits. */
  keyRequest(name: string, outcome: "admitted" | "limited"): void;
  streamOpened(): void;
  /** A tool call's thinking looked up for an OpenAI client: found or not. */
  thinkingLookup(outcome: "hit" | "miss"): void;
  thinkingCacheSize(entries: number): void;
  responsesStored(entries: number): void;
  render(): string;
}

type Histogram = { counts: number[]; sum: number; count: number };

const histogramLines = (name: string, help: string, map: Map<string, Histogram>) => [
  `# HELP ${name} ${help}`,
  `# TYPE ${name} histogram`,
  ...[...map].flatMap(([route, h]) => [
    ...BUCKETS.map((le, i) => `${name}_bucket{route="${route}",le="${le}"} ${h.counts[i]}`),
    `${name}_bucket{route="${route}",le="+Inf"} ${h.count}`,
    `${name}_sum{route="${route}"} ${h.sum}`,
    `${name}_count{route="${route}"} ${h.count}`,
  ]),
];

/** `plan`: the plan states to expose as gauges (the plan tracker's); `accounts`: each account's state. */
export function createMetrics(options: { plan?: () => PlanState[]; accounts?: () => AccountView[] } = {}): Metrics {
  const byModel = new Map<string, ModelCounts>();
  const ttfb = new Map<string, Histogram>();
  const durations = new Map<string, Histogram>();
  const observe = (map: Map<string, Histogram>, route: string, seconds: number) => {
    const h = map.get(route) ?? { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
    map.set(route, h);
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= (BUCKETS[i] as number)) (h.counts[i] as number)++;
    h.sum += seconds;
    h.count++;
  };
  const model = (id: string) => {
    const counts = byModel.get(id) ?? { requests: 0, tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0 } };
    byModel.set(id, counts);
    return counts;
  };
  const requests = new Map<string, number>();
  const durationSum = new Map<string, number>();
  const streams = new Map<string, number>();
  const refreshes = new Map<string, number>();
  const thinkingLookups = new Map<string, number>();
  const keyRequests = new Map<string, number>();
  const accountRequests = new Map<string, number>();
  const failovers = new Map<string, number>();
  let openStreams = 0;
  let thinkingEntries = 0;
  let storedResponses = 0;
  const bump = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

  const lines = (name: string, help: string, type: string, map: Map<string, number>, label: (key: string) => string) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
    ...[...map].map(([key, value]) => `${name}{${label(key)}} ${value}`),
  ];

  return {
    modelRequest: (id) => void model(id).requests++,
    tokens(id, usage) {
      const counts = model(id).tokens;
      counts.input += usage.input;
      counts.output += usage.output;
      counts.cache_read += usage.cache_read;
      counts.cache_write += usage.cache_write;
    },
    upstreamTtfb: (route, seconds) => observe(ttfb, route, seconds),
    requestDuration: (route, seconds) => observe(durations, route, seconds),
    models: () => Object.fromEntries([...byModel].map(([id, counts]) => [id, { requests: counts.requests, tokens: { ...counts.tokens } }])),
    get openStreams() {
      return openStreams;
    },
    request(route, status, seconds) {
      bump(requests, `${route} ${status}`);
      bump(durationSum, route, seconds);
    },
    streamOpened: () => void openStreams++,
    streamEnded(outcome) {
      openStreams--;
      bump(streams, outcome);
    },
    refresh: (outcome) => void bump(refreshes, outcome),
    keyRequest: (name, outcome) => void bump(keyRequests, `${name} ${outcome}`),
    accountRequest: (account) => void bump(accountRequests, account),
    failover: (from, to, why) => void bump(failovers, `${from} ${to} ${why}`),
    thinkingLookup: (outcome) => void bump(thinkingLookups, outcome),
    thinkingCacheSize(entries) {
      thinkingEntries = entries;
    },
    responsesStored(entries) {
      storedResponses = entries;
    },
    render() {
      const split = (key: string) => key.split(" ") as [string, string];
      return [
        ...lines(
          "maximize_requests_total",
          "HTTP requests by route and status.",
          "counter",
          requests,
          (k) => `route="${split(k)[0]}",status="${split(k)[1]}"`,
        ),
        ...lines(
          "maximize_request_seconds_sum",
          "Seconds until response headers, summed by route.",
          "counter",
          durationSum,
          (k) => `route="${k}"`,
        ),
        ...lines("maximize_streams_total", "Response bodies finished, by outcome.", "counter", streams, (k) => `outcome="${k}"`),
        ...lines("maximize_token_refreshes_total", "OAuth token refreshes by outcome.", "counter", refreshes, (k) => `outcome="${k}"`),
        ...lines(
          "maximize_key_requests_total",
          "Requests by proxy key name (never the key) and whether its limits admitted them.",
          "counter",
          keyRequests,
          (k) => `key="${split(k)[0]}",outcome="${split(k)[1]}"`,
        ),
        ...lines(
          "maximize_thinking_lookups_total",
          "Tool calls whose signed thinking was looked up for an OpenAI client, by outcome.",
          "counter",
          thinkingLookups,
          (k) => `outcome="${k}"`,
        ),
        "# HELP maximize_thinking_cache_entries Tool calls whose signed thinking is kept for OpenAI tool loops.",
        "# TYPE maximize_thinking_cache_entries gauge",
        `maximize_thinking_cache_entries ${thinkingEntries}`,
        "# HELP maximize_model_requests_total Messages calls sent upstream, by the model they went to.",
        "# TYPE maximize_model_requests_total counter",
        ...[...byModel].map(([id, counts]) => `maximize_model_requests_total{model="${id}"} ${counts.requests}`),
        "# HELP maximize_tokens_total Tokens used, by model and kind (from answers and streams as they pass).",
        "# TYPE maximize_tokens_total counter",
        ...[...byModel].flatMap(([id, counts]) =>
          Object.entries(counts.tokens).map(([kind, value]) => `maximize_tokens_total{model="${id}",kind="${kind}"} ${value}`),
        ),
        ...histogramLines("maximize_upstream_ttfb_seconds", "Seconds from sending upstream to its response headers.", ttfb),
        ...histogramLines("maximize_request_duration_seconds", "Seconds a request took, to the last byte of a stream.", durations),
        ...planLines(options.plan?.() ?? []),
        ...lines(
          "maximize_account_requests_total",
          "Requests sent upstream with each account (refused attempts, catalogue and usage reads included).",
          "counter",
          accountRequests,
          (k) => `account="${k}"`,
        ),
        ...lines(
          "maximize_account_failovers_total",
          "Requests moved to another account before anything reached the client, by reason.",
          "counter",
          failovers,
          (k) => `from="${k.split(" ")[0]}",to="${k.split(" ")[1]}",reason="${k.split(" ")[2]}"`,
        ),
        ...accountLines(options.accounts?.() ?? []),
        "# HELP maximize_responses_stored Responses API answers kept for previous_response_id and item_reference.",
        "# TYPE maximize_responses_stored gauge",
        `maximize_responses_stored ${storedResponses}`,
        "# HELP maximize_open_streams Response bodies being relayed now.",
        "# TYPE maximize_open_streams gauge",
        `maximize_open_streams ${openStreams}`,
        "",
      ].join("\n");
    },
  };
}

/** The plan's windows as gauges: utilization (0–1) and when each resets. */
function planLines(states: PlanState[]): string[] {
  const windows = states.flatMap((state) =>
    Object.entries(state.windows).map(([name, window]) => ({ account: state.account, name, window })),
  );
  return [
    "# HELP maximize_plan_utilization How much of a subscription window is used (0–1), as Anthropic last reported it.",
    "# TYPE maximize_plan_utilization gauge",
    ...windows.map(({ account, name, window }) => `maximize_plan_utilization{account="${account}",window="${name}"} ${window.utilization}`),
    "# HELP maximize_plan_resets_at_seconds When a subscription window resets (unix seconds).",
    "# TYPE maximize_plan_resets_at_seconds gauge",
    ...windows
      .filter(({ window }) => window.resets_at)
      .map(
        ({ account, name, window }) =>
          `maximize_plan_resets_at_seconds{account="${account}",window="${name}"} ${Date.parse(window.resets_at as string) / 1000}`,
      ),
  ];
}

/** Each account's state as a gauge (1 for its current state), and until when a cooling account rests. */
function accountLines(views: AccountView[]): string[] {
  return [
    "# HELP maximize_account_state The state each account is in (ready, cooling, dead, not_logged_in, error): 1 for the current one.",
    "# TYPE maximize_account_state gauge",
    ...views.map((view) => `maximize_account_state{account="${view.name}",state="${view.state}"} 1`),
    "# HELP maximize_account_cooling_until_seconds Until when a cooling account is not used (unix seconds).",
    "# TYPE maximize_account_cooling_until_seconds gauge",
    ...views
      .filter((view) => view.cooling_until)
      .map((view) => `maximize_account_cooling_until_seconds{account="${view.name}"} ${Date.parse(view.cooling_until as string) / 1000}`),
  ];
}
