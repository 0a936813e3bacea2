/**
 * Recent responses, kept in memory for `previous_response_id` and `item_reference` (the AI SDK's default provider
 * sends earlier steps by reference). Bounded like the thinking cache: least recently used out past `maxEntries`, and
 * nothing older than `ttlMs`. A request with `store: false` is not kept.
 */
import { createLru } from "../../shared/lru.ts";
import type { InputItem } from "./schema.ts";

export interface StoredResponse {
  /** The whole conversation up to and including this response's output, as input items. */
  items: readonly InputItem[];
}

export interface ResponseStore {
  put(id: string, response: StoredResponse): void;
  get(id: string): StoredResponse | undefined;
  /** An input or output item of a stored response, by its id. */
  item(id: string): InputItem | undefined;
  readonly size: number;
}

export function createResponseStore(
  options: { maxEntries?: number; ttlMs?: number; now?: () => number; onSize?: (size: number) => void } = {},
): ResponseStore {
  const entries = createLru<StoredResponse>({
    maxEntries: options.maxEntries ?? 500,
    ttlMs: options.ttlMs ?? 60 * 60 * 1000,
    now: options.now,
    onSize: options.onSize,
  });
  return {
    put: (id, response) => entries.set(id, response),
    get: (id) => entries.get(id),
    item: (id) => {
      for (const response of entries.values()) {
        const found = response.items.find((item) => (item as { id?: unknown }).id === id);
        if (found) return found;
      }
      return undefined;
    },
    get size() {
      return entries.size;
    },
  };
}

/**
 * The input a request means: a stored response's conversation when it names `previous_response_id`, then its own
 * items with `item_reference`s replaced by the items they name (unknown ones are left for the translator to refuse).
 */
export function expandInput(
  store: ResponseStore,
  previousResponseId: string | null | undefined,
  items: readonly InputItem[],
): { items: InputItem[]; unknownPrevious?: string } {
  const previous = previousResponseId ? store.get(previousResponseId) : undefined;
  if (previousResponseId && !previous) return { items: [...items], unknownPrevious: previousResponseId };
  const own = items.map((item) => {
    const record = item as { type?: unknown; id?: unknown };
    return record.type === "item_reference" && typeof record.id === "string" ? (store.item(record.id) ?? item) : item;
  });
  return { items: [...(previous?.items ?? []), ...own] };
}
