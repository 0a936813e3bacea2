/**
 * `output_config`: `effort` (the main dial of depth and cost since 2026, levels per model in capabilities.effort) and
 * `format` (structured outputs, GA 2026-01-29: the reply's text is JSON that fits the schema).
 */
import { fail } from "./errors.ts";
import { isRecord, type JsonObject } from "./guards.ts";
import { EFFORT_LEVELS, type CatalogueEntry, type EffortLevel } from "./models.ts";

export interface OutputConfig {
  effort: EffortLevel | undefined;
  /** The json_schema of output_config.format, when one was asked for. */
  schema: JsonObject | undefined;
}

/** ["a", "b", "c"] → "'a', 'b' or 'c'", as the API's validation messages list choices. */
function quoted(values: readonly string[]): string {
  const all = values.map((value) => `'${value}'`);
  return all.length <= 1 ? all.join("") : `${all.slice(0, -1).join(", ")} or ${all.at(-1)}`;
}

export function parseOutputConfig(value: unknown, entry: CatalogueEntry): OutputConfig {
  if (value === undefined || value === null) return { effort: undefined, schema: undefined };
  if (!isRecord(value)) fail("output_config: Input should be a valid dictionary");
  return { effort: parseEffort(value.effort, entry), schema: parseFormat(value.format, entry) };
}

function parseEffort(value: unknown, entry: CatalogueEntry): EffortLevel | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !(EFFORT_LEVELS as readonly string[]).includes(value)) {
    fail(`output_config.effort: Input should be ${quoted(EFFORT_LEVELS)}`);
  }
  const allowed = entry.rules.effortLevels;
  if (allowed.length === 0) fail(`output_config.effort: ${entry.info.id} does not support the effort parameter.`);
  if (!allowed.includes(value as EffortLevel)) {
    fail(`output_config.effort: '${value}' is not supported by ${entry.info.id}. Supported levels: ${allowed.join(", ")}.`);
  }
  return value as EffortLevel;
}

function parseFormat(value: unknown, entry: CatalogueEntry): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) fail("output_config.format: Input should be a valid dictionary");
  if (value.type !== "json_schema") fail("output_config.format.type: Input should be 'json_schema'");
  if (!entry.info.capabilities.structured_outputs.supported) {
    fail(`output_config.format: ${entry.info.id} does not support structured outputs.`);
  }
  const schema = value.schema;
  if (!isRecord(schema)) fail("output_config.format.schema: Field required");
  if (schema.type !== "object") fail("output_config.format.schema: the root schema must have type 'object'");
  checkSupportedKeywords(schema);
  return schema;
}

/**
 * Structured outputs compile the schema into a grammar, which cannot enforce bounds: the API refuses them, e.g.
 * "output_format.schema: For 'integer' type, property 'minimum' is not supported" (seen in client trackers, 2025).
 * `minItems` is accepted as 0 or 1 only.
 */
const UNSUPPORTED = [
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
];

function checkSupportedKeywords(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) checkSupportedKeywords(item);
    return;
  }
  if (!isRecord(schema)) return;
  for (const [key, value] of Object.entries(schema)) {
    const refused = UNSUPPORTED.includes(key) || (key === "minItems" && value !== 0 && value !== 1);
    if (refused) fail(`output_config.format.schema: For '${String(schema.type ?? "any")}' type, property '${key}' is not supported`);
    if (key !== "enum" && key !== "const" && key !== "default" && key !== "examples") checkSupportedKeywords(value);
  }
}
