/**
 * How the IDL front ends reach files: an injected reader, and POSIX-style path helpers so
 * they need no `node:path` and run in browsers and edge runtimes. Paths use `/`; Windows
 * drive letters are not interpreted.
 */

/** Reads an IDL file; returns undefined when it does not exist. */
export type ReadFile = (path: string) => string | undefined;

/** Removes `.` segments, resolves `..` against preceding segments and collapses `//`. */
export function normalize(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (part === ".." && absolute) continue; // `/..` is `/`
    else out.push(part);
  }
  const joined = out.join("/");
  return absolute ? "/" + joined : joined || ".";
}

/** The folder part of a path (`.` when there is none). */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  return i === 0 ? "/" : path.slice(0, i);
}

/** The last segment of a path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Joins a folder and a path; an absolute `path` wins. */
export function join(dir: string, path: string): string {
  return normalize(path.startsWith("/") ? path : `${dir}/${path}`);
}
