// `npm start`: the codec engine at work. (Until the RPC core lands, this shows the wasm
// codecs; it becomes the generated-service demo with the RPC core.)
import {
  init, MessageType, ProtobufReader, ProtobufWriter, ThriftBinaryReader, ThriftBinaryWriter,
  ThriftCompactReader, ThriftCompactWriter, TType, KitewireError,
} from "../dist/kitewire.node.mjs";

const engine = await init();
console.log(`kitewire engine loaded: ${engine.simd ? "SIMD" : "plain"} build, ${engine.exports.memory.buffer.byteLength >> 10} KiB of linear memory\n`);

const user = { id: 42n, name: "Zoë 🚀", scores: [99, -3, 1 << 20], active: true, balance: 1234.5 };

function writeThrift(w) {
  w.writeMessageBegin("getUser", MessageType.REPLY, 1);
  w.writeStructBegin();
  w.writeFieldBegin(TType.STRUCT, 0);
  w.writeStructBegin();
  w.writeFieldBegin(TType.I64, 1); w.writeI64(user.id);
  w.writeFieldBegin(TType.STRING, 2); w.writeString(user.name);
  w.writeFieldBegin(TType.LIST, 3); w.writeI32List(user.scores);
  w.writeFieldBegin(TType.BOOL, 4); w.writeBool(user.active);
  w.writeFieldBegin(TType.DOUBLE, 5); w.writeDouble(user.balance);
  w.writeFieldStop(); w.writeStructEnd();
  w.writeFieldStop(); w.writeStructEnd();
  return w.finish();
}

function readThrift(r) {
  const header = r.readMessageBegin();
  const out = {};
  r.readStructBegin();
  r.readFieldBegin();
  r.readStructBegin();
  for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
    switch (r.fieldId) {
      case 1: out.id = r.readI64(); break;
      case 2: out.name = r.readString(); break;
      case 3: out.scores = [...r.readI32List()]; break;
      case 4: out.active = r.readBool(); break;
      case 5: out.balance = r.readDouble(); break;
      default: r.skip(t);
    }
  }
  return { header, user: out };
}

const hex = (b) => Buffer.from(b).toString("hex").replace(/(..)/g, "$1 ").trim();

for (const [name, W, R] of [["Thrift Binary", ThriftBinaryWriter, ThriftBinaryReader], ["Thrift Compact", ThriftCompactWriter, ThriftCompactReader]]) {
  const bytes = writeThrift(new W());
  console.log(`${name}: ${bytes.length} bytes\n  ${hex(bytes)}`);
  console.log(`  validated by the engine: ${new R().load(bytes).validateMessage()} bytes`);
  console.log("  decoded:", readThrift(new R().load(bytes)), "\n");
}

const pw = new ProtobufWriter();
pw.tag(1, 0).int64(user.id).tag(2, 2).string(user.name).tag(3, 2).packedInt32(user.scores).tag(4, 0).bool(user.active).tag(5, 1).double(user.balance);
const pb = pw.finish();
console.log(`Protobuf: ${pb.length} bytes\n  ${hex(pb)}`);
const pr = new ProtobufReader().load(pb);
const decoded = {};
while (pr.pos < pr.end) {
  const tag = pr.tag();
  switch (tag >>> 3) {
    case 1: decoded.id = pr.int64(); break;
    case 2: decoded.name = pr.string(); break;
    case 3: decoded.scores = [...pr.packedInt32()]; break;
    case 4: decoded.active = pr.bool(); break;
    case 5: decoded.balance = pr.double(); break;
    default: pr.skip(tag);
  }
}
console.log("  decoded:", decoded, "\n");

const bad = writeThrift(new ThriftBinaryWriter()).slice();
new DataView(bad.buffer).setInt32(36, 0x7fffffff); // the name's length prefix, now 2 GiB
try {
  new ThriftBinaryReader().load(bad).validateMessage();
} catch (error) {
  if (!(error instanceof KitewireError)) throw error;
  console.log(`A corrupted message is rejected, not trusted: ${error.code}: ${error.message}`);
}
