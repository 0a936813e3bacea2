/**
 * An OpenAI `response_format` JSON schema in the subset Anthropic's structured outputs accept (docs/PROTOCOL.md §4/§5).
 * Anthropic compiles the schema into a grammar and refuses bounds it cannot enforce (e.g. 400 "For 'integer' type,
 * property 'minimum' is not supported"): those keywords move into the description, so the model still reads them
 * and the request is not refused; every object with properties gets `additionalProperties: false`. Pure.
 */

type Schema = Record<string, unknown>;

/** Keywords Anthropic's structured outputs refuse. `minItems` is allowed only as 0 or 1. */
export const UNSUPPORTED_KEYWORDS = [
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
  "patternProperties",
] as const;

const isSchema = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

export interface AdaptedSchema {
  schema: Schema;
  /** "path.keyword" for every constraint moved into a description. */
  moved: string[];
}

export function toAnthropicSchema(schema: Schema): AdaptedSchema {
  const moved: string[] = [];
  return { schema: adapt(schema, "$", moved), moved };
}

function adapt(input: Schema, path: string, moved: string[]): Schema {
  const out: Schema = {};
  const notes: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    const unsupported = (UNSUPPORTED_KEYWORDS as readonly string[]).includes(key) || (key === "minItems" && value !== 0 && value !== 1);
    if (unsupported) {
      notes.push(`${key}: ${JSON.stringify(value)}`);
      moved.push(`${path}.${key}`);
      continue;
    }
    out[key] = adaptChild(key, value, `${path}.${key}`, moved);
  }
  if (Array.isArray(out.oneOf) && out.anyOf === undefined) {
    // Anthropic takes anyOf; for the model's output the two mean the same here.
    out.anyOf = out.oneOf;
    delete out.oneOf;
    moved.push(`${path}.oneOf (as anyOf)`);
  }
  if (isSchema(out.properties) && out.additionalProperties === undefined) out.additionalProperties = false;
  if (notes.length > 0)
    out.description = [typeof out.description === "string" ? out.description : "", `{${notes.join(", ")}}`].filter(Boolean).join("\n\n");
  return out;
}

/** Sub-schemas sit under these keywords: maps of schemas, lists of schemas, or one schema. */
function adaptChild(key: string, value: unknown, path: string, moved: string[]): unknown {
  if ((key === "properties" || key === "$defs" || key === "definitions") && isSchema(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([name, sub]) => [name, isSchema(sub) ? adapt(sub, `${path}.${name}`, moved) : sub]),
    );
  }
  if ((key === "anyOf" || key === "allOf" || key === "oneOf" || key === "prefixItems") && Array.isArray(value)) {
    return value.map((sub, i) => (isSchema(sub) ? adapt(sub, `${path}[${i}]`, moved) : sub));
  }
  if ((key === "items" || key === "additionalProperties" || key === "not") && isSchema(value)) return adapt(value, path, moved);
  return value;
}
