/**
 * Maps that are empty most of the time, without an allocation each. A fleet's phone holds ~16
 * Maps (transactions, DNS questions in flight, held-off servers, dialogs…), most empty for most
 * of the run, and an empty Map costs ~180 bytes: ~1.5 KB a phone, 150 MB at 10⁵ phones, all of
 * it heap that every collection walks. A field starts as the shared NO_ENTRIES, becomes its own
 * Map at its first entry (`withEntry`) and goes back to NO_ENTRIES when emptied (`withoutEntry`).
 * Reads (get, has, size, iteration) work on either.
 */
class NoEntries extends Map<never, never> {
  override set(): never {
    throw new Error('NO_ENTRIES is shared and stays empty: store withEntry(map, key, value) instead of map.set');
  }
}

const EMPTY: Map<never, never> = new NoEntries();

/** The shared empty map, typed for the field it starts. */
export function noEntries<K, V>(): Map<K, V> {
  return EMPTY as Map<K, V>;
}

/** `map` with key set to value: the same Map, or a new one when `map` is the shared empty one. Store the result. */
export function withEntry<K, V>(map: Map<K, V>, key: K, value: V): Map<K, V> {
  const m = map === (EMPTY as Map<K, V>) ? new Map<K, V>() : map;
  m.set(key, value);
  return m;
}

/** `map` without key: the shared empty map once nothing is left. Store the result. */
export function withoutEntry<K, V>(map: Map<K, V>, key: K): Map<K, V> {
  // The last entry: the Map is dropped rather than deleted from. V8 shrinks a hash table on a
  // delete that leaves it under a quarter full — a runtime call and a new table, for a Map that
  // is garbage a moment later. That was 2.4 % of a 10,000-phone fleet run's CPU, in this
  // function alone (a phone's DNS questions and transactions come and go one at a time).
  if (map.size === 1) return map.has(key) ? (EMPTY as Map<K, V>) : map;
  map.delete(key);
  return map;
}
