import type { Colors } from "picocolors/types";
import { effortLevels, isActive, newestFirst, type ModelInfo } from "../models/info.ts";
import type { CatalogueSnapshot } from "../models/catalogue.ts";
import { createUpstream } from "../upstream/upstream.ts";
import { createCredentials } from "../auth/credentials.ts";
import { createCatalogue } from "../models/live.ts";
import { flagOption, type Command, type CommandContext } from "./command.ts";

const HELP = `Usage: maximize models [--json] [--all]

Shows what each model nickname (xs s m l xl xxl, and any from config) resolves to right now — the
model, the effort it adds, and where that came from (live: Anthropic's catalogue; fallback: the
built-in table, used when the catalogue cannot be fetched; config: pinned in models.nicknames) —
then the models Anthropic lists as active. Uses your login (or API key) to ask Anthropic.

Options:
  --json    machine-readable output: the nicknames and the full model objects
  --all     list deprecated models too
`;

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : "");

function nicknameTable(snapshot: CatalogueSnapshot, defaultModel: string, pc: Colors): string[] {
  const rows = snapshot.nicknames.map((row) => [
    row.nickname + (row.nickname === defaultModel ? pc.dim(" (default)") : ""),
    row.model ?? pc.yellow("no model of that line"),
    row.effort ?? pc.dim("model default"),
    row.source === "live" ? pc.green(row.source) : row.source === "config" ? pc.cyan(row.source) : pc.yellow(row.source),
  ]);
  return table([["nickname", "model", "effort", "from"].map((h) => pc.dim(h)), ...rows]);
}

function modelTable(models: readonly ModelInfo[], pc: Colors): string[] {
  const rows = models.map((model) => [
    model.id,
    model.line ?? "",
    model.lifecycle === "deprecated" ? pc.yellow("deprecated") : (model.lifecycle ?? ""),
    day(model.created_at),
    effortLevels(model).join(" ") || pc.dim("—"),
  ]);
  return table([["model", "line", "lifecycle", "released", "effort levels"].map((h) => pc.dim(h)), ...rows]);
}

/** Columns padded to their widest visible cell (colour codes do not count). */
function table(rows: string[][]): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: colour escape sequences are what this leaves out
  const visible = (cell: string) => cell.replace(/\x1b\[[0-9;]*m/g, "").length;
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => visible(row[column] ?? "")))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell + " ".repeat(Math.max(0, (widths[column] ?? 0) - visible(cell))))
      .join("  ")
      .trimEnd(),
  );
}

async function run(ctx: CommandContext): Promise<number> {
  const credentials = createCredentials(ctx.config, ctx.fetch);
  const upstream = createUpstream({ config: ctx.config, credentials, fetch: ctx.fetch });
  const catalogue = createCatalogue(ctx.config, upstream);
  await catalogue.refresh();
  const snapshot = catalogue.snapshot();
  const all = flagOption(ctx.args, "all");
  const shown = snapshot.models.filter((model) => (all ? model.lifecycle !== "retired" : isActive(model))).sort(newestFirst);

  if (flagOption(ctx.args, "json")) {
    ctx.out.write(`${JSON.stringify({ ...snapshot, default: ctx.config.models.default, models: shown }, null, 2)}\n`);
    return 0;
  }
  const pc = ctx.out.colors;
  const lines = [...nicknameTable(snapshot, ctx.config.models.default, pc), ""];
  if (snapshot.source === "fallback") {
    lines.push(
      pc.yellow(
        `Anthropic's model catalogue could not be fetched (${snapshot.error ?? "unknown reason"}): these are the built-in fallback models.`,
      ),
    );
    lines.push(pc.dim("Log in (`maximize login`) or check the network; a running proxy keeps retrying."), "");
  }
  lines.push(...modelTable(shown, pc));
  ctx.out.write(`${lines.join("\n")}\n`);
  return 0;
}

export const modelsCommand: Command = {
  name: "models",
  summary: "what each nickname resolves to, and the models Anthropic lists",
  help: HELP,
  options: { json: { type: "boolean" }, all: { type: "boolean" } },
  run,
};
