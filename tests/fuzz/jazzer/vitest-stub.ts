/** Stands in for "vitest" in the Jazzer.js bundle: the seed generators' support files import `expect`, which seeding never calls. */
export function expect(): never {
  throw new Error("vitest's expect is not available in a fuzzing run");
}
