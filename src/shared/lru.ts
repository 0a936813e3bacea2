/**
 * A bounded map: least recently used entries leave past `maxEntries`, and nothing is older than `ttlMs`. For the
 * in-memory stores a long-running proxy must not let grow (the thinking cache, recent Responses answers).
 */
export interface Lru<V> {
  set(key: string, value: V): void;
  /** The value, when present and not expired (reading makes it the most recently used). */
  get(key: string): V | undefined;
  /** Live values, most recently used first. */
  values(): V[];
  readonly size: number;
}

export function createLru<V>(options: { maxEntries: number; ttlMs: number; now?: () => number; onSize?: (size: number) => void }): Lru<V> {
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on use makes the first key the least recently used.
  const entries = new Map<string, { value: V; expires: number }>();
  const get = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    entries.delete(key);
    if (entry.expires <= now()) {
      options.onSize?.(entries.size);
      return undefined;
    }
    entries.set(key, entry);
    return entry.value;
  };
  return {
    set(key, value) {
      entries.delete(key);
      entries.set(key, { value, expires: now() + options.ttlMs });
      while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
      options.onSize?.(entries.size);
    },
    get,
    values: () =>
      [...entries.keys()]
        .reverse()
        .map(get)
        .filter((value): value is V => value !== undefined),
    get size() {
      return entries.size;
    },
  };
}
