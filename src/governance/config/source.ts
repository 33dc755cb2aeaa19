/**
 * Where governance settings come from at run time: one watched key/value source. A key
 * holds one JSON document (kitex-contrib/config-etcd's layout, see `keys.ts`); watchers
 * hear its current value at once and every change after, `undefined` when it is absent or
 * deleted (the settings go back to the ones given in code).
 */

/** Told a key's value: its text, or undefined when absent. */
export type ConfigListener = (value: string | undefined) => void;

export interface ConfigSource {
  /** Watches `key`: `listener` hears its current value, then each change. Returns a function that stops watching. */
  watch(key: string, listener: ConfigListener): () => void;
  /** Stops every watch and releases the source's resources. */
  close(): Promise<void>;
}
