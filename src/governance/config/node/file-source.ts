/**
 * A config source over a folder: the document of key `/KitexConfig/client/server/retry`
 * is the file `<root>/KitexConfig/client/server/retry` (absent file: absent key). Files are
 * polled (`fs.watchFile`), so a change is seen within `intervalMs` on every platform.
 */
import { readFileSync, unwatchFile, watchFile } from "node:fs";
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
  private readonly watched = new Map<string, () => void>();

  constructor(root: string, options: FileConfigSourceOptions = {}) {
    this.root = resolve(root);
    this.intervalMs = options.intervalMs ?? 250;
  }

  watch(key: string, listener: ConfigListener): () => void {
    const file = this.fileOf(key);
    const onChange = () => listener(read(file));
    watchFile(file, { interval: this.intervalMs, persistent: false }, onChange);
    this.watched.set(file, () => unwatchFile(file, onChange));
    listener(read(file));
    return () => {
      unwatchFile(file, onChange);
      this.watched.delete(file);
    };
  }

  async close(): Promise<void> {
    for (const stop of this.watched.values()) stop();
    this.watched.clear();
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
