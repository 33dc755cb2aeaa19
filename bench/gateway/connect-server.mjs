// The reference: @connectrpc/connect-node serving the same method itself (Connect JSON
// {"text"} in and out) on node:http, its service described at run time with
// @bufbuild/protobuf (the schema of echo.thrift as proto3: bench.Echo/Echo). Prints {"port": N}.
import { createServer } from "node:http";
import { create, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { connectNodeAdapter } from "@connectrpc/connect-node";

const registry = createFileRegistry(create(FileDescriptorSetSchema, {
  file: [{
    name: "bench/echo.proto", package: "bench", syntax: "proto3",
    messageType: [
      { name: "EchoRequest", field: [{ name: "text", number: 1, type: 9, label: 1, jsonName: "text" }] },
      { name: "EchoReply", field: [{ name: "text", number: 1, type: 9, label: 1, jsonName: "text" }] },
    ],
    service: [{ name: "Echo", method: [{ name: "Echo", inputType: ".bench.EchoRequest", outputType: ".bench.EchoReply" }] }],
  }],
}));
const Echo = registry.getService("bench.Echo");
const handler = connectNodeAdapter({ routes: (router) => router.service(Echo, { echo: (req) => ({ text: req.text }) }) });
const server = createServer(handler);
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
