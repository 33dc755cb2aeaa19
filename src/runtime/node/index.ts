/** kitewire for Node: the core plus an `init()` that reads the engine from disk. */
import { readFile } from "node:fs/promises";
import type { Engine } from "../../wasm/engine.js";
import { initEngine } from "../../wasm/load.js";
import { engineUrls, type InitOptions } from "../assets.js";
import { registerTransform } from "../../remote/transform.js";
import { zlibTransform } from "../../remote/node/zlib.js";
import { setDefaultConnector } from "../../client/transport.js";
import { nodeConnector } from "../../client/node/transport.js";
import { registerTargetScheme } from "../../governance/discovery/target.js";
import { dnsTarget } from "../../governance/discovery/dns/node/resolver.js";
import { etcdTarget } from "../../governance/discovery/etcd/node/resolver.js";
import { isMainThread, workerData } from "node:worker_threads";
import { setServerThreadEntry } from "../../server/node/threads/pool.js";
import { runServerThread } from "../../server/node/threads/thread.js";
import { isServerThreadData } from "../../server/node/threads/protocol.js";
import { isClusterWorker, runClusterWorker, setClusterEntry } from "../../server/node/cluster.js";

export * from "../../index.js";
export { listen, type Listener, type ListenOptions } from "../../server/node/listen.js";
export { createGrpcClient, type CreateGrpcClientOptions, type GrpcCallOptions } from "../../grpc/node/client.js";
export { gzip } from "../../grpc/node/gzip.js";
export { listenCluster, type ClusterListener, type ClusterOptions } from "../../server/node/cluster.js";
export { nodeTransport, nodeConnector, type NodeTransportOptions } from "../../client/node/transport.js";
export { etcdResolver, type EtcdResolverOptions } from "../../governance/discovery/etcd/node/resolver.js";
export { etcdRegistry, type EtcdRegistryOptions } from "../../governance/discovery/etcd/node/registry.js";
export type { EtcdOptions } from "../../governance/discovery/etcd/node/client.js";
export { dnsResolver, type DnsResolverOptions, type DnsLookups } from "../../governance/discovery/dns/node/resolver.js";
export { serveGateway, nodeHandler, type ServeGatewayOptions, type GatewayServer } from "../../gateway/node/index.js";
export { FileConfigSource, type FileConfigSourceOptions } from "../../governance/config/node/file-source.js";
export { EtcdConfigSource, type EtcdConfigSourceOptions } from "../../governance/config/node/etcd-source.js";

// Node clients connect to discovered instances over node:net, and understand dns:// and etcd:// targets.
setDefaultConnector(nodeConnector());
registerTargetScheme("dns", (rest, target, { logger }) => dnsTarget(rest, target, logger));
registerTargetScheme("etcd", (rest, target, { logger }) => etcdTarget(rest, target, logger));

export { zlibTransform };

// listen(server, { threads }) and listenCluster: server threads and cluster workers run
// this module, and serve once it has loaded.
setServerThreadEntry(import.meta.url);
setClusterEntry(import.meta.url);
if (!isMainThread && isServerThreadData(workerData)) {
  const data = workerData;
  setImmediate(() => void runServerThread(data, init));
} else if (isMainThread && isClusterWorker()) {
  setImmediate(() => void runClusterWorker(init));
}
export type { InitOptions };

// Apache THeader's zlib transform, on node:zlib (the core has no compression of its own).
registerTransform(zlibTransform);

/** Loads the engine (SIMD build first, plain fallback); later calls return the same engine. */
export function init(options: InitOptions = {}): Promise<Engine> {
  return initEngine(options.source ?? (() => {
    const urls = engineUrls();
    return { simd: () => readFile(urls.simd), plain: () => readFile(urls.plain) };
  }), options);
}
