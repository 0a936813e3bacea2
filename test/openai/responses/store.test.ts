import { expect, test } from "bun:test";
import type { InputItem } from "../../../src/openai/responses/schema.ts";
import { createResponseStore, expandInput } from "../../../src/openai/responses/store.ts";

const item = (id: string, text: string) => ({ type: "message", role: "assistant", id, content: text }) as InputItem;
const user = (text: string) => ({ role: "user", content: text }) as InputItem;

test("previous_response_id: the stored conversation, then the new input", () => {
  const store = createResponseStore();
  store.put("resp_1", { items: [user("hi"), item("msg_1", "hello")] });
  expect(expandInput(store, "resp_1", [user("again")]).items).toEqual([user("hi"), item("msg_1", "hello"), user("again")]);
  expect(expandInput(store, "resp_nope", [user("x")])).toMatchObject({ unknownPrevious: "resp_nope" });
});

test("item_reference: replaced by the stored item; an unknown one is left for the translator to refuse", () => {
  const store = createResponseStore();
  store.put("resp_1", { items: [user("hi"), item("msg_1", "hello")] });
  const ref = (id: string) => ({ type: "item_reference", id }) as InputItem;
  expect(expandInput(store, undefined, [ref("msg_1"), ref("msg_x")]).items).toEqual([item("msg_1", "hello"), ref("msg_x")]);
});

test("bounded: least recently used out past maxEntries, nothing older than ttlMs, size reported", () => {
  let now = 0;
  const sizes: number[] = [];
  const store = createResponseStore({ maxEntries: 2, ttlMs: 1000, now: () => now, onSize: (n) => sizes.push(n) });
  store.put("a", { items: [] });
  store.put("b", { items: [] });
  store.get("a");
  store.put("c", { items: [] });
  expect([store.get("a") !== undefined, store.get("b") !== undefined, store.get("c") !== undefined]).toEqual([true, false, true]);
  now = 2000;
  expect(store.get("a")).toBeUndefined();
  expect(sizes.slice(0, 3)).toEqual([1, 2, 2]);
});
