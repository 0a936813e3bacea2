/** The bench's command line: by default it only measures and prints; writing files and dropping caches are asked for. */
import { parseArgs } from "node:util";

export const HELP = `Usage: bun scripts/bench.ts [options]      (npm run bench -- [options])

Measures the compiled binary against a bare Bun passthrough in the same run (both in front of a fast fake upstream):
CPU per request and per streamed event, throughput, latency, memory and start-up, each next to its target. Prints
the tables on stdout; without --write or --out it changes no file.

Options:
  --write          also write bench/results.json, bench/chart.svg, the numbers in BENCHMARKS.md and a row of its
                   history (tracked files)
  --out FILE       write the results JSON to FILE (nothing else)
  --drop-caches    empty the kernel's page cache before measuring memory (root, Linux: writes /proc/sys/vm/drop_caches,
                   which slows the whole machine for a while); without it idle RSS may read a few MB high
  --binary PATH    bench another build (default dist/maximize)
  --quick          shorter runs, a smoke test of the bench itself (not with --write)
  --report         re-render the table from bench/results.json (with --write: the chart and BENCHMARKS.md too)
  --soak           only the soak: 200 000 requests and 20 000 streams across the three APIs, a tenth of the streams
                   abandoned midway, then leak checks (RSS, file descriptors, open streams); exit 1 if one fails
                   (with --quick: a tenth of that)
  -h, --help       this text
`;

export interface BenchOptions {
  help: boolean;
  write: boolean;
  dropCaches: boolean;
  quick: boolean;
  report: boolean;
  soak: boolean;
  binary: string | undefined;
  out: string | undefined;
}

/** Parses the bench's arguments; throws an Error that says what to change on a bad combination. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: "boolean", short: "h" },
      write: { type: "boolean" },
      "drop-caches": { type: "boolean" },
      binary: { type: "string" },
      out: { type: "string" },
      report: { type: "boolean" },
      quick: { type: "boolean" },
      soak: { type: "boolean" },
    },
    strict: true,
    allowPositionals: false,
  });
  const options: BenchOptions = {
    help: values.help === true,
    write: values.write === true,
    dropCaches: values["drop-caches"] === true,
    quick: values.quick === true,
    report: values.report === true,
    soak: values.soak === true,
    binary: values.binary,
    out: values.out,
  };
  if (options.quick && options.write)
    throw new Error("--quick numbers are a smoke test and do not belong in BENCHMARKS.md: drop --write (or use --out FILE)");
  if (options.soak && (options.write || options.report || options.out !== undefined))
    throw new Error("--soak prints its checks and writes no file: drop --write, --report and --out");
  if (options.report && (options.quick || options.binary !== undefined || options.dropCaches || options.out !== undefined))
    throw new Error("--report measures nothing: it only takes --write");
  return options;
}
