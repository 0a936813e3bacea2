/** Renders results: a text table (stdout and BENCHMARKS.md) and an SVG chart, both from bench/results.json. */
import type { CpuCost } from "./cpu.ts";
import type { LoadResult } from "./load.ts";
import { added, checks, type Results } from "./results.ts";
import type { StreamLatency } from "./stream.ts";

const f = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const signed = (value: number) => `${value >= 0 ? "+" : ""}${f(value)}`;

function table(head: string[], rows: string[][]): string {
  const widths = head.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(head), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)].join("\n");
}

const loadRow = (name: string, result: LoadResult, base?: LoadResult) => [
  name,
  f(result.p50, 3),
  f(result.p90, 3),
  f(result.p99, 3),
  base ? signed(result.p50 - base.p50) : "",
  base ? signed(result.p99 - base.p99) : "",
  f(result.rps, 0),
  base ? `${((result.rps / base.rps) * 100).toFixed(0)} %` : "",
  String(result.errors + result.non2xx),
];

function latencyTable(r: Results): string {
  const head = ["non-stream", "p50 ms", "p90 ms", "p99 ms", "added p50", "added p99", "req/s", "vs direct", "errors"];
  const rows = [
    loadRow("c=1 direct", r.c1.direct),
    loadRow("c=1 bare passthrough", r.c1.bare, r.c1.direct),
    loadRow("c=1 maximize", r.c1.proxy, r.c1.direct),
    ...(r.infoLogging ? [loadRow("c=1 maximize, log info", r.infoLogging.c1, r.c1.direct)] : []),
    ...(r.variants ?? []).map((v) => loadRow(`c=1 ${v.name}`, v.c1, r.c1.direct)),
    loadRow("c=64 direct", r.c64.direct),
    loadRow("c=64 bare passthrough", r.c64.bare, r.c64.direct),
    loadRow("c=64 maximize", r.c64.proxy, r.c64.direct),
    ...(r.infoLogging ? [loadRow("c=64 maximize, log info", r.infoLogging.c64, r.c64.direct)] : []),
    ...(r.variants ?? []).map((v) => loadRow(`c=64 ${v.name}`, v.c64, r.c64.direct)),
  ];
  if (r.pinned?.measured) {
    const { direct, bare, proxy } = r.pinned.c64;
    rows.push(
      loadRow("c=64 direct (load+upstream: CPU 0)", direct),
      loadRow("c=64 bare, alone on CPU 1", bare, direct),
      loadRow("c=64 maximize, alone on CPU 1", proxy, direct),
    );
  }
  if (r.openai.measured) {
    rows.push(
      loadRow("c=1 maximize /v1/messages", r.openai.messages),
      loadRow("c=1 maximize /v1/chat/completions", r.openai.chat, r.openai.messages),
      ...(r.openai.responses ? [loadRow("c=1 maximize /v1/responses", r.openai.responses, r.openai.messages)] : []),
    );
  }
  return table(head, rows);
}

const streamRow = (name: string, s: StreamLatency, base?: StreamLatency) => [
  name,
  String(s.events),
  f(s.ttfbP50, 3),
  f(s.ttfbP90, 3),
  f(s.ttlbP50, 3),
  f(s.ttlbP90, 3),
  base ? signed(s.ttfbP50 - base.ttfbP50) : "",
  base ? signed(s.ttlbP50 - base.ttlbP50) : "",
];

function streamTable(r: Results): string {
  const head = ["stream (sequential)", "events", "TTFB p50", "TTFB p90", "TTLB p50", "TTLB p90", "added TTFB", "added TTLB"];
  const rows = [
    streamRow("direct", r.stream.direct),
    streamRow("bare passthrough", r.stream.bare, r.stream.direct),
    streamRow("maximize", r.stream.proxy, r.stream.direct),
  ];
  if (r.openai.measured) {
    rows.push(
      streamRow("maximize /v1/messages", r.openai.messagesStream),
      streamRow("maximize /v1/chat/completions", r.openai.chatStream, r.openai.messagesStream),
      ...(r.openai.responsesStream ? [streamRow("maximize /v1/responses", r.openai.responsesStream, r.openai.messagesStream)] : []),
    );
  }
  return table(head, rows);
}

function otherTable(r: Results): string {
  const pace = (name: string, p: Results["pacing"]["direct"]) => [
    name,
    `${p.events} events ${p.gapMs} ms apart: gap p10 ${f(p.gapP10)} / p50 ${f(p.gapP50)} ms, ${p.coalescedReads} coalesced reads`,
  ];
  const heldRow = (name: string, held: Results["memory"]["held"]) => [
    name,
    `${held.rssBeforeMB === undefined ? "" : `${f(held.rssBeforeMB, 1)} MB before; `}${f(held.rssMB, 1)} MB; open at client ${held.openAtClient}, at upstream ${held.openAtUpstream} after ${f(held.openAfterMs, 0)} ms; ${held.completed} completed; ${f(held.rssAfterMB, 1)} MB after`,
  ];
  const held = r.memory.held;
  const rows = [
    pace("pacing direct", r.pacing.direct),
    ...(r.pacing.bare ? [pace("pacing bare passthrough", r.pacing.bare)] : []),
    pace("pacing maximize", r.pacing.proxy),
    ...(r.openai.measured ? [pace("pacing maximize /v1/chat/completions", r.openai.chatPacing)] : []),
    ...(r.openai.measured && r.openai.responsesPacing ? [pace("pacing maximize /v1/responses", r.openai.responsesPacing)] : []),
    [
      "RSS idle (fresh start)",
      `${f(r.memory.idleMB, 1)} MB` +
        (r.memory.idleAnonMB === undefined
          ? ""
          : ` = ${f(r.memory.idleAnonMB, 1)} MB own (anon) + ${f(r.memory.idleFileMB ?? Number.NaN, 1)} MB mapped executable (file)`) +
        (r.memory.pageCacheDropped === false ? "; page cache not dropped" : ""),
    ],
    ["RSS idle (after the load tests)", `${f(r.memory.idleAfterLoadMB, 1)} MB`],
    heldRow(`RSS holding ${held.requested} streams`, held),
    ...(r.memory.heldFresh ? [heldRow(`RSS holding ${held.requested} streams, fresh process`, r.memory.heldFresh)] : []),
    [
      "start-up → /healthz 200",
      `median ${f(r.startup.median)} ms (min ${f(r.startup.min)}, max ${f(r.startup.max)}, ${r.startup.runs.length} starts)`,
    ],
  ];
  if (!r.openai.measured) rows.push(["OpenAI translation", `not measured: ${r.openai.reason}`]);
  return table(["measure", "result"], rows);
}

function cpuTable(r: Results): string {
  const cpu = r.cpu;
  if (!cpu) return "";
  const row = (name: string, c: CpuCost, unit: string, base?: CpuCost) => [
    name,
    `${f(c.micros, 1)} µs`,
    base ? `${f(c.micros / base.micros)}×` : "",
    `${c.units} ${unit}, ${f(c.cpuSeconds)} s CPU${c.rounds ? `; rounds ${c.rounds.map((round) => f(round, 1)).join(" / ")} µs` : ""}${c.failures > 0 ? `; ${c.failures} failed` : ""}`,
  ];
  const rows = [
    row("per request, bare passthrough", cpu.request.bare, "requests"),
    row("per request, maximize", cpu.request.proxy, "requests", cpu.request.bare),
    ...(r.variants ?? []).map((v) => row(`per request, ${v.name}`, v.cpuRequest, "requests", cpu.request.bare)),
    row("per event, bare passthrough /v1/messages", cpu.event.bare, "events"),
    ...(cpu.event.bareLayers
      ? [row("per event, bare + 2 JS stream layers /v1/messages", cpu.event.bareLayers, "events", cpu.event.bare)]
      : []),
    row("per event, maximize /v1/messages", cpu.event.messages, "events", cpu.event.bare),
    ...(r.variants ?? []).map((v) => row(`per event, ${v.name} /v1/messages`, v.cpuEvent, "events", cpu.event.bare)),
    row("per event, maximize /v1/chat/completions", cpu.event.chat, "events", cpu.event.bare),
    row("per event, maximize /v1/responses", cpu.event.responses, "events", cpu.event.bare),
  ];
  const head = [
    `CPU time (events: ${cpu.streams} streams × ${cpu.upstreamEvents}, ${cpu.gapMs} ms apart)`,
    "CPU",
    "× bare",
    "measured over",
  ];
  return `${table(head, rows)}\n\n`;
}

const verdict = (ok: boolean | undefined) => (ok === undefined ? "–" : ok ? "met" : "MISSED");

function targetTable(r: Results): string {
  return table(
    ["target (issue 18)", "maximize", "bare passthrough", "goal", ""],
    checks(r).map((c) => [c.name, c.value, c.bare, c.target, verdict(c.ok)]),
  );
}

export function renderText(r: Results): string {
  const m = r.machine;
  return [
    `maximize ${r.maximize.version}${r.commit ? ` (${r.commit})` : ""} · ${r.date} · ${m.cpu} (${m.cores} cores), ${m.memoryGB} GB, ${m.os}, Bun ${m.bun} · ${r.maximize.variant ?? `log level ${r.maximize.logLevel}`}`,
    "",
    latencyTable(r),
    "",
    streamTable(r),
    "",
    otherTable(r),
    "",
    `${cpuTable(r)}${targetTable(r)}`,
  ].join("\n");
}

// ---------------------------------------------------------------- SVG

interface Bar {
  label: string;
  value: number;
  color: string;
  text: string;
}

const COLORS = { direct: "#9ca3af", bare: "#60a5fa", proxy: "#f97316", target: "#dc2626" };
const esc = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** One horizontal bar panel at (x, y), `width` wide; an optional target line. Returns the SVG and its height. */
function panel(
  x: number,
  y: number,
  width: number,
  title: string,
  bars: Bar[],
  target?: { value: number; label: string },
): { svg: string; height: number } {
  const labelWidth = 170;
  const barArea = width - labelWidth - 110;
  const max = Math.max(...bars.map((bar) => bar.value), target?.value ?? 0) * 1.05 || 1;
  const scale = (value: number) => (Math.max(0, value) / max) * barArea;
  const parts = [`<text x="${x}" y="${y + 14}" class="title">${esc(title)}</text>`];
  bars.forEach((bar, i) => {
    const top = y + 24 + i * 22;
    parts.push(
      `<text x="${x + labelWidth - 6}" y="${top + 13}" class="label" text-anchor="end">${esc(bar.label)}</text>`,
      `<rect x="${x + labelWidth}" y="${top}" width="${scale(bar.value).toFixed(1)}" height="16" fill="${bar.color}" rx="2"/>`,
      `<text x="${x + labelWidth + scale(bar.value) + 5}" y="${top + 13}" class="value">${esc(bar.text)}</text>`,
    );
  });
  const height = 24 + bars.length * 22 + 8;
  if (target) {
    const tx = x + labelWidth + scale(target.value);
    parts.push(
      `<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${y + 20}" y2="${y + height - 4}" stroke="${COLORS.target}" stroke-dasharray="4 3"/>`,
      `<text x="${tx.toFixed(1)}" y="${y + height + 8}" class="target" text-anchor="middle">${esc(target.label)}</text>`,
    );
  }
  return { svg: parts.join("\n"), height: height + (target ? 14 : 0) };
}

const trioBars = (values: { direct: number; bare: number; proxy: number }, unit: string, digits = 2): Bar[] => [
  { label: "direct", value: values.direct, color: COLORS.direct, text: `${f(values.direct, digits)} ${unit}` },
  { label: "bare passthrough", value: values.bare, color: COLORS.bare, text: `${f(values.bare, digits)} ${unit}` },
  { label: "maximize", value: values.proxy, color: COLORS.proxy, text: `${f(values.proxy, digits)} ${unit}` },
];

const pick = (trio: Results["c1"], key: keyof LoadResult) => ({ direct: trio.direct[key], bare: trio.bare[key], proxy: trio.proxy[key] });

export function renderSvg(r: Results): string {
  const width = 720;
  const held = r.memory.held;
  const pinned: Array<[string, Bar[], { value: number; label: string }?]> = r.pinned?.measured
    ? [
        [
          "Throughput, concurrency 64, proxy alone on CPU 1 (requests/s)",
          trioBars(pick(r.pinned.c64, "rps"), "req/s", 0),
          { value: r.pinned.c64.bare.rps * 0.75, label: "target: 0.75× bare" },
        ],
      ]
    : [];
  const cpu = r.cpu;
  const cpuBar = (label: string, c: CpuCost, bare: boolean) => ({
    label,
    value: c.micros,
    color: bare ? COLORS.bare : COLORS.proxy,
    text: `${f(c.micros, 1)} µs`,
  });
  const cpuPanels: Array<[string, Bar[], { value: number; label: string }?]> = cpu
    ? [
        [
          "CPU time per non-stream request (µs)",
          [cpuBar("bare passthrough", cpu.request.bare, true), cpuBar("maximize", cpu.request.proxy, false)],
          { value: cpu.request.bare.micros * 1.4, label: "target: 1.4× bare" },
        ],
        [
          `CPU time per streamed event, events ${cpu.gapMs} ms apart (µs)`,
          [
            cpuBar("bare /v1/messages", cpu.event.bare, true),
            cpuBar("maximize /v1/messages", cpu.event.messages, false),
            cpuBar("… /v1/chat/completions", cpu.event.chat, false),
            cpuBar("… /v1/responses", cpu.event.responses, false),
          ],
          { value: cpu.event.bare.micros * 2, label: "2× bare (OpenAI routes)" },
        ],
      ]
    : [];
  const panels: Array<[string, Bar[], { value: number; label: string }?]> = [
    ["Non-stream latency p50, concurrency 1 (ms)", trioBars(pick(r.c1, "p50"), "ms", 3)],
    ["Non-stream latency p99, concurrency 64 (ms)", trioBars(pick(r.c64, "p99"), "ms")],
    ...pinned,
    ...cpuPanels,
    [
      "Stream of ~100 events: first / last event p50 (ms)",
      [
        ...trioBars({ direct: r.stream.direct.ttfbP50, bare: r.stream.bare.ttfbP50, proxy: r.stream.proxy.ttfbP50 }, "ms first", 3),
        ...trioBars({ direct: r.stream.direct.ttlbP50, bare: r.stream.bare.ttlbP50, proxy: r.stream.proxy.ttlbP50 }, "ms last", 3),
      ],
    ],
    [
      "maximize resident memory (MB)",
      [
        { label: "idle", value: r.memory.idleMB, color: COLORS.proxy, text: `${f(r.memory.idleMB, 1)} MB` },
        ...(r.memory.idleAnonMB === undefined
          ? []
          : [
              {
                label: "idle, own (anon) part",
                value: r.memory.idleAnonMB,
                color: COLORS.proxy,
                text: `${f(r.memory.idleAnonMB, 1)} MB (target 8 MB)`,
              },
            ]),
        {
          label: `${held.openAtUpstream}/${held.requested} streams open`,
          value: held.rssMB,
          color: COLORS.proxy,
          text: `${f(held.rssMB, 1)} MB`,
        },
      ],
      { value: 80, label: "80 MB target (streams)" },
    ],
    [
      `Start-up to first /healthz 200 (ms), ${r.startup.runs.length} starts`,
      [
        { label: "min", value: r.startup.min, color: COLORS.proxy, text: `${f(r.startup.min, 1)} ms` },
        { label: "median", value: r.startup.median, color: COLORS.proxy, text: `${f(r.startup.median, 1)} ms` },
        { label: "max", value: r.startup.max, color: COLORS.proxy, text: `${f(r.startup.max, 1)} ms` },
      ],
      { value: 20, label: "20 ms target" },
    ],
  ];
  let y = 44;
  const body: string[] = [];
  for (const [title, bars, target] of panels) {
    const { svg, height } = panel(16, y, width - 32, title, bars, target);
    body.push(svg);
    y += height + 16;
  }
  const m = r.machine;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="system-ui, sans-serif">`,
    `<style>.title{font-size:13px;font-weight:600;fill:#111}.label,.value{font-size:11px;fill:#333}.target{font-size:10px;fill:${COLORS.target}}.head{font-size:15px;font-weight:700}.sub{font-size:11px;fill:#555}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="16" y="20" class="head">maximize ${esc(r.maximize.version)} against the bare passthrough — same run, same load tool</text>`,
    `<text x="16" y="36" class="sub">${esc(`${r.date.slice(0, 10)} · ${m.cpu}, ${m.cores} cores (load generator, upstream and proxy share them) · Bun ${m.bun}`)}</text>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

const HISTORY_START = "<!-- bench:history -->";
const HISTORY_END = "<!-- /bench:history -->";
const HISTORY_HEAD = [
  "| run (UTC) | commit | req/s, proxy alone on a core | CPU/request | CPU/event messages · chat · responses | added p50/p99 c=1 | added p50/p99 c=64 | TTFB added | RssAnon idle | RSS, streams open | start-up | targets met |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
];

/** One row of BENCHMARKS.md's history: when, which commit, and the figures a regression would show in. */
export function historyRow(r: Results): string {
  const ratio = (a: number, b: number) => `${f(a / b)}×`;
  const cpu = r.cpu;
  const all = checks(r);
  const judged = all.filter((c) => c.ok !== undefined);
  const cells = [
    r.date.slice(0, 16).replace("T", " "),
    r.commit ?? "?",
    r.pinned?.measured ? `${f(r.pinned.c64.proxy.rps, 0)} = ${ratio(r.pinned.c64.proxy.rps, r.pinned.c64.bare.rps)} bare` : "–",
    cpu ? `${f(cpu.request.proxy.micros, 1)} µs = ${ratio(cpu.request.proxy.micros, cpu.request.bare.micros)}` : "–",
    cpu ? [cpu.event.messages, cpu.event.chat, cpu.event.responses].map((c) => ratio(c.micros, cpu.event.bare.micros)).join(" · ") : "–",
    `${signed(added(r.c1, "p50"))} / ${signed(added(r.c1, "p99"))} ms`,
    `${signed(added(r.c64, "p50"))} / ${signed(added(r.c64, "p99"))} ms`,
    `${signed(r.stream.proxy.ttfbP50 - r.stream.bare.ttfbP50)} ms`,
    r.memory.idleAnonMB === undefined ? "–" : `${f(r.memory.idleAnonMB, 1)} MB`,
    `${f(r.memory.held.rssMB, 1)} MB (${r.memory.held.requested})`,
    `${f(r.startup.median, 1)} ms`,
    `${judged.filter((c) => c.ok).length} of ${judged.length}`,
  ];
  return `| ${cells.join(" | ")} |`;
}

/** Adds this run's row to the history between the markers, once: a re-render of the same run adds nothing. */
export function spliceHistory(markdown: string, r: Results): string {
  const from = markdown.indexOf(HISTORY_START);
  const to = markdown.indexOf(HISTORY_END);
  if (from === -1 || to === -1 || to < from) return markdown;
  const row = historyRow(r);
  const rows = markdown
    .slice(from + HISTORY_START.length, to)
    .split("\n")
    .filter((line) => /^\| \d{4}-/.test(line));
  const stamp = row.slice(0, row.indexOf(" | "));
  const next = rows.some((line) => line.startsWith(`${stamp} |`)) ? rows : [...rows, row];
  const block = [HISTORY_START, ...HISTORY_HEAD, ...next, HISTORY_END].join("\n");
  return markdown.slice(0, from) + block + markdown.slice(to + HISTORY_END.length);
}

/** Replaces the text between the results markers in BENCHMARKS.md and adds the run to its history. */
export function spliceMarkdown(markdown: string, r: Results): string {
  const start = "<!-- bench:results -->";
  const end = "<!-- /bench:results -->";
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from === -1 || to === -1) return spliceHistory(markdown, r);
  const block = `${start}\n\`\`\`text\n${renderText(r)}\n\`\`\`\n${end}`;
  return spliceHistory(markdown.slice(0, from) + block + markdown.slice(to + end.length), r);
}
