/**
 * Unix domain sockets (`unix:/path` addresses, as Kitex accepts them): for co-located
 * processes (a sidecar, a mesh proxy), no TCP/IP stack between them.
 */
import { lstatSync, unlinkSync } from "node:fs";
import { connect, type Server as NetServer } from "node:net";
import { ErrorCode, KitewireError } from "../../errors.js";

const PREFIX = "unix:";

/** The socket path of a `unix:/path` address; undefined for any other address. */
export function unixPath(address: string | undefined): string | undefined {
  if (address === undefined || !address.startsWith(PREFIX)) return undefined;
  const path = address.slice(PREFIX.length);
  if (path === "") throw new KitewireError(ErrorCode.INVALID_VALUE, `address ${address} names no socket path (unix:/path)`);
  return path;
}

/**
 * Listens on the Unix socket `path`. A socket file left there by a process that died (a
 * connect is refused) is removed first; a live one, or a file that is not a socket, is
 * an error. Node removes the file when the server closes.
 */
export async function listenUnix(net: NetServer, path: string): Promise<void> {
  try {
    await tryListen(net, path);
  } catch (error) {
    if ((error as { code?: string }).code !== "EADDRINUSE" || !lstatSync(path, { throwIfNoEntry: false })?.isSocket()) throw listenError(path, error);
    if (await answers(path)) throw listenError(path, error, " (another server is listening there)");
    unlinkSync(path);
    await tryListen(net, path).catch((e: unknown) => {
      throw listenError(path, e);
    });
  }
}

function tryListen(net: NetServer, path: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    net.once("error", reject);
    net.listen(path, () => {
      net.off("error", reject);
      resolve();
    });
  });
}

/** Whether a server accepts connections on `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path }, () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

function listenError(path: string, error: unknown, hint = ""): KitewireError {
  return new KitewireError(ErrorCode.CONNECTION, `cannot listen on unix:${path}: ${(error as Error).message}${hint}`, { cause: error });
}
