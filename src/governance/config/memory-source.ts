/** A config source held in memory: for tests, and for settings a program changes itself. */
import type { ConfigListener, ConfigSource } from "./source.js";

export class MemoryConfigSource implements ConfigSource {
  private readonly values = new Map<string, string>();
  private readonly listeners = new Map<string, Set<ConfigListener>>();

  /** @param initial documents by key. */
  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const [key, value] of Object.entries(initial)) this.values.set(key, value);
  }

  /** Sets `key` (a document's text, or an object written as JSON) and tells its watchers. */
  set(key: string, value: string | object): void {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    this.values.set(key, text);
    for (const listener of this.listeners.get(key) ?? []) listener(text);
  }

  /** Deletes `key` and tells its watchers. */
  delete(key: string): void {
    this.values.delete(key);
    for (const listener of this.listeners.get(key) ?? []) listener(undefined);
  }

  watch(key: string, listener: ConfigListener): () => void {
    let set = this.listeners.get(key);
    if (set === undefined) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    listener(this.values.get(key));
    return () => set.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
