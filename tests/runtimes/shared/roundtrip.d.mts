/** Types of roundtrip.mjs (for the TypeScript tests that import it). */
export interface RoundTripResult {
  ok: boolean;
  simd: boolean;
  /** Number of checks made (a floor guards against a run that silently did nothing). */
  checks: number;
  failures: string[];
}

/** Runs the whole round trip with the given kitewire bundle; never throws. */
export function run(kitewire: unknown): Promise<RoundTripResult>;

/** The bytes run() compares with EXPECTED_HEX, by name (kitewire must be initialised). */
export function encodeAll(kitewire: unknown): Record<string, Uint8Array>;

export const EXPECTED_HEX: Record<string, string>;
export const STRINGS: Record<string, string>;
export function toHex(bytes: Uint8Array): string;
export function fromHex(hex: string): Uint8Array;
