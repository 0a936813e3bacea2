import { expect, test } from "bun:test";
import { createMetrics } from "../../src/server/metrics.ts";

test("Prometheus text: counters by label, gauges, HELP and TYPE lines", () => {
  const metrics = createMetrics();
  metrics.request("/v1/messages", 200, 0.5);
  metrics.request("/v1/messages", 200, 0.25);
  metrics.request("other", 404, 0.001);
  metrics.streamOpened();
  metrics.streamOpened();
  metrics.streamEnded("complete");
  metrics.refresh("ok");
  metrics.thinkingLookup("hit");
  metrics.thinkingCacheSize(3);
  const text = metrics.render();
  expect(text).toContain('maximize_requests_total{route="/v1/messages",status="200"} 2');
  expect(text).toContain('maximize_requests_total{route="other",status="404"} 1');
  expect(text).toContain('maximize_request_seconds_sum{route="/v1/messages"} 0.75');
  expect(text).toContain('maximize_streams_total{outcome="complete"} 1');
  expect(text).toContain("maximize_open_streams 1");
  expect(text).toContain('maximize_token_refreshes_total{outcome="ok"} 1');
  expect(text).toContain('maximize_thinking_lookups_total{outcome="hit"} 1');
  expect(text).toContain("maximize_thinking_cache_entries 3");
  for (const line of text.split("\n").filter((l) => l.startsWith("maximize_"))) {
    const name = line.split(/[{ ]/)[0];
    expect(text).toContain(`# TYPE ${name} `);
  }
});
