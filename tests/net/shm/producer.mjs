// A producer thread for the ring tests: writes the frames a job describes into a ring
// (tests/net/shm/ring.test.ts), waiting for room when it is full; reports when done.
import { parentPort } from "node:worker_threads";

const { Ring } = await import(new URL("../../../dist/esm/net/shm/ring.js", import.meta.url).href);

/** The bytes of frame `i` of `producer`: its ids in the first 8 bytes (when they fit), then a pattern. */
export function frameBytes(producer, i, size) {
  const b = new Uint8Array(size);
  for (let j = 0; j < size; j++) b[j] = (producer * 31 + i * 7 + j) & 255;
  if (size >= 8) new DataView(b.buffer).setUint32(0, producer, true), new DataView(b.buffer).setUint32(4, i, true);
  return b;
}

parentPort?.on("message", async ({ buffer, producer, sizes, pauseEvery = 0, pauseMs = 0 }) => {
  const ring = new Ring(buffer);
  let fullWaits = 0;
  for (let i = 0; i < sizes.length; i++) {
    const bytes = frameBytes(producer, i, sizes[i]);
    if (!ring.tryWrite(producer, i, bytes)) {
      fullWaits++;
      await ring.write(producer, i, bytes);
    }
    if (pauseEvery > 0 && i % pauseEvery === pauseEvery - 1) await new Promise((r) => setTimeout(r, pauseMs));
  }
  parentPort.postMessage({ producer, fullWaits });
});
