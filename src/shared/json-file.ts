/**
 * Reading a JSON file the user may have edited, in one place: read, parse (valibot's parseJson) and validate, with
 * the reason it failed kept apart so each caller can word it for its reader (config, token file, Claude Code's login,
 * a pending login).
 */
import { readFileSync } from "node:fs";
import * as v from "valibot";
import { plainReason } from "./files.ts";

export type JsonFileProblem =
  | { kind: "missing" }
  | { kind: "unreadable"; message: string }
  | { kind: "not_json"; message: string }
  /** Valid JSON, but not an object (every file read here holds one). */
  | { kind: "not_object"; value: unknown }
  /** The content does not fit the schema: the first issue, and its key as a dot path ("" for the whole file). */
  | { kind: "invalid"; issue: v.BaseIssue<unknown>; key: string };

export type JsonFileResult<T> = { ok: true; value: T } | { ok: false; problem: JsonFileProblem };

const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);

/** A file holding one JSON object that fits `schema`. */
export function readJsonFile<TSchema extends v.GenericSchema>(path: string, schema: TSchema): JsonFileResult<v.InferOutput<TSchema>> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: code === "ENOENT" ? { kind: "missing" } : { kind: "unreadable", message: plainReason(error) } };
  }
  const json = v.safeParse(v.pipe(v.string(), v.parseJson()), text);
  if (!json.success) return { ok: false, problem: { kind: "not_json", message: json.issues[0].message } };
  if (!isObject(json.output)) return { ok: false, problem: { kind: "not_object", value: json.output } };
  const parsed = v.safeParse(schema, json.output);
  if (parsed.success) return { ok: true, value: parsed.output };
  return { ok: false, problem: { kind: "invalid", issue: parsed.issues[0], key: v.getDotPath(parsed.issues[0]) ?? "" } };
}
