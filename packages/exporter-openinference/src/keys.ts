/**
 * Flattened attribute keys (`llm.input_messages.3.message.role`), each built once. A key
 * concatenated per span is a new string every time, and an object key must be flattened, hashed
 * and looked up in the engine's string table: for the dozens of keys of a chat, that was a third of
 * the exporter's own cost of an LLM span. A cached key is the same string object each time, and
 * that work is done once. Bounded: past `MAX_KEYS` keys are built as before.
 */
const MAX_KEYS = 16_384;
/** Largest list index cached (a longer conversation's later keys are built per span). */
const MAX_INDEX = 1024;
let cached = 0;
const indexedKeys = new Map<string, string[]>();
const joinedKeys = new Map<string, Map<string, string>>();

/** `${prefix}${i}.` (e.g. `llm.input_messages.` and 3 → `llm.input_messages.3.`). */
export function indexKey(prefix: string, i: number): string {
  let list = indexedKeys.get(prefix);
  if (list === undefined) {
    if (cached >= MAX_KEYS || i >= MAX_INDEX) return `${prefix}${i}.`;
    list = [];
    indexedKeys.set(prefix, list);
  }
  let key = list[i];
  if (key === undefined) {
    key = `${prefix}${i}.`;
    // Filled in order (lists are read from 0 up), so the array stays packed.
    if (i === list.length && i < MAX_INDEX && cached < MAX_KEYS) {
      list.push(key);
      cached++;
    }
  }
  return key;
}

/** `prefix + suffix`, the same string each time. */
export function joinKey(prefix: string, suffix: string): string {
  let bySuffix = joinedKeys.get(prefix);
  if (bySuffix === undefined) {
    if (cached >= MAX_KEYS) return prefix + suffix;
    bySuffix = new Map();
    joinedKeys.set(prefix, bySuffix);
  }
  let key = bySuffix.get(suffix);
  if (key === undefined) {
    key = prefix + suffix;
    if (cached < MAX_KEYS) {
      bySuffix.set(suffix, key);
      cached++;
    }
  }
  return key;
}
