import { expect, test } from "bun:test";
import { accountOf, describeAccount, describeExpiry, humanDuration, tokenExpiry, wrapWords } from "../../src/cli/format.ts";

test.each([
  [0, "0s"],
  [45, "45s"],
  [60, "1m"],
  [3599, "59m"],
  [3600, "1h 0m"],
  [7 * 3600 + 59 * 60, "7h 59m"],
  [86_400, "1d"],
  [3 * 86_400 + 4 * 3600, "3d 4h"],
  [-5, "0s"],
])("humanDuration(%p) = %p", (seconds, expected) => {
  expect(humanDuration(seconds)).toBe(expected);
});

test.each<[number | null, boolean, string]>([
  [null, false, "unknown — a token from `claude setup-token` lasts a year from when it was made"],
  [null, true, "unknown (not recorded)"],
  [1000 + 7200, true, "in 2h 0m"],
  [1000 - 180, true, "expired 3m ago"],
])("describeExpiry(%p, refreshable %p) = %p", (expiresAt, refreshable, expected) => {
  expect(describeExpiry(expiresAt, 1000 * 1000, refreshable)).toBe(expected);
});

test.each<[number | null, boolean, string]>([
  [null, false, "has no recorded expiry (a token from `claude setup-token` lasts a year from when it was made)"],
  [null, true, "has no recorded expiry"],
  [1000 + 7200, true, "expires in 2h 0m"],
  [1000 - 180, false, "expired 3m ago"],
])("tokenExpiry(%p, refreshable %p) = %p — reads after the word token", (expiresAt, refreshable, expected) => {
  expect(tokenExpiry(expiresAt, 1000 * 1000, refreshable)).toBe(expected);
});

test.each<[unknown, unknown, string | undefined]>([
  [{ email_address: "a@b.c" }, { name: "Acme" }, "a@b.c (Acme)"],
  [{ email_address: "a@b.c" }, undefined, "a@b.c"],
  [undefined, { name: "Acme" }, "Acme"],
  ["not an object", { name: "" }, undefined],
])("describeAccount(%p, %p)", (account, organization, expected) => {
  expect(describeAccount({ account, organization })).toBe(expected as never);
  expect(accountOf({ account, organization }).email).toBe(typeof account === "object" ? "a@b.c" : undefined);
});

test.each<[string, string, number, string[]]>([
  ["fills each line up to the width", "aa bb cc dd", 5, ["aa bb", "cc dd"]],
  ["a word that does not fit starts the next line", "aaa bbb", 6, ["aaa", "bbb"]],
  ["a word longer than the width gets its own line", "a bbbbbbbb c", 4, ["a", "bbbbbbbb", "c"]],
  ["newlines and runs of spaces are just spaces", "a\n b   c", 80, ["a b c"]],
  ["nothing", "", 10, []],
])("wrapWords: %s", (_name, text, width, lines) => {
  expect(wrapWords(text, width)).toEqual(lines);
});
