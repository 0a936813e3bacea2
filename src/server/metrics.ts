/**
 * In-process counters, served as Prometheus text on GET /metrics. Created per app (no globals).
 */
export interface Metrics {
  request(route: string, status: number, seconds: number): void;
  streamEnded(outcome: string): void;
  refresh(outcome: "ok" | "failed"): void;
  streamOpened(): void;
  /** A tool call's thinking looked up for an OpenAI client: found or not. */
  thinkingLookup(outcome: "hit" | "miss"): void;
  thinkingCacheSize(entries: number): void;
  responsesStored(entries: number): void;
  render(): string;
}

export function createMetrics(): Metrics {
  const requests = new Map<string, number>();
  const durationSum = new Map<string, number>();
  const streams = new Map<string, number>();
  const refreshes = new Map<string, number>();
  const thinkingLookups = new Map<string, number>();
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
          "maximize_thinking_lookups_total",
          "Tool calls whose signed thinking was looked up for an OpenAI client, by outcome.",
          "counter",
          thinkingLookups,
          (k) => `outcome="${k}"`,
        ),
        "# HELP maximize_thinking_cache_entries Tool calls whose signed thinking is kept for OpenAI tool loops.",
        "# TYPE maximize_thinking_cache_entries gauge",
        `maximize_thinking_cache_entries ${thinkingEntries}`,
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
