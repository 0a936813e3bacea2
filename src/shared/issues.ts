/**
 * valibot's issues as sentences a person reads, in one place: `messages is required`, `max_tokens must be a number
 * (got "hot")`, `messages[2].role must be one of "user", "assistant" (got "robot")`. valibot's own messages
 * ("Invalid key: Expected \"messages\" but received undefined") are written for developers and never reach a user.
 * A schema's own message is kept: a whole sentence as it is, a fragment ("a non-empty string") after "must be".
 */
import * as v from "valibot";

type Issue = v.BaseIssue<unknown>;

/** `messages.2.content` → `messages[2].content`, the way OpenAI (and JavaScript) name a nested field. */
export function issuePath(issue: Issue): string {
  return (v.getDotPath(issue) ?? "").replace(/\.(\d+)(?=\.|$)/g, "[$1]").replace(/^(\d+)(?=\.|\[|$)/, "[$1]");
}

/**
 * A union's own issue ("Expected (string | Array) but received Array") says little; the alternative that got
 * furthest into the value (the longest path) usually names the real problem. Nested paths are relative to the union.
 */
export function deepestIssue(issue: Issue): Issue {
  const nested = issue.issues;
  if (issue.type !== "union" || !nested?.length) return issue;
  const depth = (candidate: Issue) => candidate.path?.length ?? 0;
  const best = nested.reduce((a, b) => (depth(b) > depth(a) ? b : a));
  if (depth(best) === 0) return issue;
  const path = [...(issue.path ?? []), ...(best.path ?? [])] as Issue["path"];
  return deepestIssue({ ...best, path });
}

/** A value as a reader recognises it, short: `"hot"`, `42`, `an object`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object" && value !== null) return "an object";
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** True for valibot's own wording ("Invalid type: Expected …"), false for a message a schema gave. */
export const isDefaultMessage = (message: string) => /^Invalid \w+: /.test(message);

/** valibot's names of types in `expected`, as words. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  Array: "a list",
  Object: "an object",
  null: "null",
};

const count = (n: unknown, unit: string) => `${String(n)} ${unit}${n === 1 ? "" : "s"}`;

/** What a schema type expects, in words ("a number", "true or false", "one of …"). */
function expectedOf(issue: Issue): string {
  switch (issue.type) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "bigint":
      return "an integer";
    case "boolean":
      return "true or false";
    case "array":
    case "tuple":
      return "a list";
    case "object":
    case "loose_object":
    case "strict_object":
    case "record":
      return "an object";
    case "null":
      return "null";
    case "literal":
    case "picklist":
    case "enum":
    case "union":
    case "variant": {
      const options = (issue.expected ?? "")
        .replace(/[()]/g, "")
        .split(/ \| |, /)
        .map((option) => TYPE_WORDS[option] ?? option);
      return options.length > 1 ? `one of ${options.join(", ")}` : (options[0] ?? "something else");
    }
    default:
      return issue.expected ? `${issue.expected}` : "something else";
  }
}

/** A failed check on a value of the right type ("must be at most 1"). */
function requirementOf(issue: Issue & { requirement?: unknown }): string {
  const requirement = issue.requirement;
  switch (issue.type) {
    case "non_empty":
      return "must not be empty";
    case "min_value":
      return `must be at least ${String(requirement)}`;
    case "max_value":
      return `must be at most ${String(requirement)}`;
    case "min_length":
      return `must have at least ${count(requirement, typeof issue.input === "string" ? "character" : "item")}`;
    case "max_length":
      return `must have at most ${count(requirement, typeof issue.input === "string" ? "character" : "item")}`;
    case "integer":
      return "must be a whole number";
    case "url":
      return "must be a URL";
    case "email":
      return "must be an email address";
    default:
      return "is not valid here";
  }
}

/**
 * One issue as a sentence naming its field. `root` names the whole value when the issue is about it ("the request
 * body", "the file").
 */
export function describeIssue(raw: Issue, root = "the value"): string {
  const issue = deepestIssue(raw);
  const path = issuePath(issue);
  const subject = path || root;
  const got = ` (got ${describeValue(issue.input)})`;
  if (issue.kind === "schema" && issue.type.endsWith("object") && issue.expected === "never" && path) {
    return `unknown key ${path} — remove it or check the spelling`;
  }
  // A key that is not there at all: the object reports it with the key's name as "expected".
  if (issue.kind === "schema" && issue.input === undefined && issue.received === "undefined") return `${subject} is required`;
  if (!isDefaultMessage(issue.message)) {
    // The schema's own words: a sentence naming the field stays as it is; a fragment says what is expected.
    const leaf = path.split(/[.[]/).at(-1) ?? "";
    if ((path && issue.message.startsWith(path)) || (leaf && issue.message.startsWith(`${leaf} `))) return issue.message;
    return `${subject} must be ${issue.message}${got}`;
  }
  if (issue.kind === "schema") return `${subject} must be ${expectedOf(issue)}${got}`;
  return `${subject} ${requirementOf(issue)}${got}`;
}

/** The first of several issues, saying how many more there are: "messages is required (and 2 more problems)". */
export function describeIssues(issues: readonly [Issue, ...Issue[]], root?: string): string {
  const more = issues.length - 1;
  return `${describeIssue(issues[0], root)}${more > 0 ? ` (and ${more} more problem${more > 1 ? "s" : ""})` : ""}`;
}
