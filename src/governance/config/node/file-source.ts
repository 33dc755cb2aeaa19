/**
 * A config source over a folder: the document of key `/KitexConfig/client/server/retry`
 * is the file `<root>/KitexConfig/client/server/retry` (absent file: absent key). Each
 * watched file is read every `intervalMs` and its watchers told when its text changes, so
 * a change is seen within `intervalMs` on every platform and file system. Write a file
 * whole (to a temporary name, then rename), or a half-written document may be read (and
 * refused) first.
 */
import { readFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { ErrorCode, KitewireError } from "../../../errors.js";
import type { ConfigListener, ConfigSource } from "../source.js";

export interface FileConfigSourceOptions {
  /** How often files are checked for changes (ms, default 250). */
  intervalMs?: number;
}

export class FileConfigSource implements ConfigSource {
  private readonly root: string;
  private readonly intervalMs: number;
  private readonly watched = new Set<() => void>();

  constructor(root: string, options: FileConfigSourceOptions = {}) {
    this.root = resolve(root);
    this.intervalMs = options.intervalMs ?? 250;
  }

  watch(key: string, listener: ConfigListener): () => void {
    const file = this.fileOf(key);
    let last = read(file);
    const timer = setInterval(() => {
      const text = read(file);
      if (text === last) return;
      last = text;
      listener(text);
    }, this.intervalMs);
    timer.unref();
    const stop = () => {
      clearInterval(timer);
      this.watched.delete(stop);
    };
    this.watched.add(stop);
    listener(last);
    return stop;
  }

  async close(): Promise<void> {
    for (const stop of [...this.watched]) stop();
  }

  private fileOf(key: string): string {
    const file = join(this.root, ...key.split("/").filter((s) => s !== ""));
    if (key.split("/").includes("..") || !file.startsWith(this.root + sep)) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `config key ${key} leaves the folder ${this.root}`);
    }
    return file;
  }
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
