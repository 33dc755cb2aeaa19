/**
 * The shared-memory client (src/net/shm/client.ts) seen from the ring: what it writes, and
 * what it must not. The test plays the server's side of the channel in this thread.
 */
import { beforeAll, expect, test } from "vitest";
import { createShmChannel, init, Ring, shmTransport, type Transport } from "kitewire";

const transport: Transport = { framing: "framed", protocol: "binary" };

beforeAll(async () => {
  await init();
});

/** The request frames the client wrote, as byte arrays. */
function written(ring: Ring): Uint8Array[] {
  const frames: Uint8Array[] = [];
  ring.read((_kind, _tag, bytes) => frames.push(bytes.slice()));
  return frames;
}

test("a seqid already in flight is refused before anything is written to the ring", async () => {
  const channel = createShmChannel();
  const requests = new Ring(channel.requests);
  const client = shmTransport({ channel, transport });
  const frame = (seqid: number) => new Uint8Array(24).fill(seqid); // the ring carries any bytes: no server reads them here
  const first = client.send({ bytes: frame(7), seqid: 7, oneway: false, deadline: undefined, signal: undefined });
  first.catch(() => undefined);
  await expect(client.send({ bytes: frame(7), seqid: 7, oneway: false, deadline: undefined, signal: undefined }))
    .rejects.toMatchObject({ code: "INVALID_STATE" });
  expect(written(requests)).toHaveLength(1);
  // Another seqid is written.
  const other = client.send({ bytes: frame(8), seqid: 8, oneway: false, deadline: undefined, signal: undefined });
  other.catch(() => undefined);
  expect(written(requests)).toHaveLength(1);
  await client.close();
  await expect(first).rejects.toMatchObject({ code: "CONNECTION" });
});

test("a request over the ring's limit fails its call and leaves no call waiting", async () => {
  const channel = createShmChannel({ slotBytes: 64, spillBytes: 0 });
  const requests = new Ring(channel.requests);
  const client = shmTransport({ channel, transport });
  await expect(client.send({ bytes: new Uint8Array(100), seqid: 1, oneway: false, deadline: undefined, signal: undefined }))
    .rejects.toMatchObject({ code: "LENGTH_LIMIT" });
  // The seqid is free again: a frame that fits is written.
  const ok = client.send({ bytes: new Uint8Array(40), seqid: 1, oneway: false, deadline: undefined, signal: undefined });
  ok.catch(() => undefined);
  expect(written(requests)).toHaveLength(1);
  await client.close();
});
