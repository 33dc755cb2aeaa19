/**
 * google.protobuf.Timestamp and Duration as ProtoJSON strings. Calendar arithmetic is done
 * here on integers (proleptic Gregorian, days from 1970-01-01) rather than with `Date`,
 * which would accept 2001-02-29 and hour 24 and cannot hold nanoseconds.
 */
import { describe, type JsonContext } from "./context.js";

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in seconds from the epoch. */
const TIMESTAMP_MIN = -62135596800;
const TIMESTAMP_MAX = 253402300799;
/** ±10,000 years, as the Duration documentation bounds it. */
const DURATION_MAX = 315576000000;

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DURATION = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/;

/** Seconds and nanoseconds, as Timestamp and Duration hold them. */
export interface SecondsNanos {
  seconds: bigint;
  nanos: number;
}

/** Days from 1970-01-01 to year `y`, month `m` (1-12), day `d` (after H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Year, month and day of the day `z` days from 1970-01-01. */
function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** "", ".123", ".123456" or ".123456789": the fewest of 0, 3, 6 or 9 digits that hold `nanos`. */
function fraction(nanos: number): string {
  if (nanos === 0) return "";
  if (nanos % 1000000 === 0) return `.${pad(nanos / 1000000, 3)}`;
  if (nanos % 1000 === 0) return `.${pad(nanos / 1000, 6)}`;
  return `.${pad(nanos, 9)}`;
}

/** Nanoseconds of a fraction's digits ("5" is 500,000,000). */
const nanosOf = (digits: string | undefined) => (digits === undefined ? 0 : Number(digits.padEnd(9, "0")));

function checkFields(ctx: JsonContext, type: string, v: unknown): SecondsNanos {
  const { seconds, nanos } = (v ?? {}) as Partial<SecondsNanos>;
  if (typeof seconds !== "bigint") throw ctx.error(`${type}.seconds must be a bigint, got ${describe(seconds)}`);
  if (typeof nanos !== "number" || !Number.isInteger(nanos)) {
    throw ctx.error(`${type}.nanos must be an integer, got ${describe(nanos)}`);
  }
  return { seconds, nanos };
}

/** A Timestamp as RFC 3339 in UTC: "1972-01-01T10:00:20.021Z". */
export function timestampToJson(ctx: JsonContext, v: unknown): string {
  const { seconds, nanos } = checkFields(ctx, "Timestamp", v);
  if (seconds < BigInt(TIMESTAMP_MIN) || seconds > BigInt(TIMESTAMP_MAX)) {
    throw ctx.error(`Timestamp out of range (0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z): seconds ${seconds}`);
  }
  if (nanos < 0 || nanos > 999999999) throw ctx.error(`Timestamp.nanos out of range 0 to 999999999: ${nanos}`);
  const s = Number(seconds);
  const days = Math.floor(s / 86400);
  const rem = s - days * 86400;
  const [y, m, d] = civilFromDays(days);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(Math.floor(rem / 3600), 2)}:${pad(Math.floor(rem / 60) % 60, 2)}:` +
    `${pad(rem % 60, 2)}${fraction(nanos)}Z`;
}

/** A Timestamp from RFC 3339 (any offset, "Z" or "±hh:mm"; up to nine fractional digits). */
export function timestampFromJson(ctx: JsonContext, json: unknown): SecondsNanos {
  if (typeof json !== "string") throw ctx.error(`expected an RFC 3339 timestamp string, got ${describe(json)}`);
  const m = TIMESTAMP.exec(json);
  if (m === null) {
    throw ctx.error(`expected an RFC 3339 timestamp like "1972-01-01T10:00:20.021Z", got ${describe(json)}`);
  }
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const bad = (what: string) => ctx.error(`invalid timestamp ${describe(json)}: ${what}`);
  if (mo < 1 || mo > 12) throw bad(`month ${mo}`);
  if (d < 1 || d > daysInMonth(y, mo)) throw bad(`day ${d} of ${pad(y, 4)}-${pad(mo, 2)}`);
  if (h > 23 || mi > 59 || s > 59) throw bad(`time of day ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`);
  let offset = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) throw bad(`offset ${m[8]}${m[9]}:${m[10]}`);
    offset = (m[8] === "-" ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
  if (seconds < TIMESTAMP_MIN || seconds > TIMESTAMP_MAX) {
    throw bad("out of range 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z");
  }
  return { seconds: BigInt(seconds), nanos: nanosOf(m[7]) };
}

/** A Duration as seconds with an "s": "1.000340012s", "-0.5s". */
export function durationToJson(ctx: JsonContext, v: unknown): string {
  const { seconds, nanos } = checkFields(ctx, "Duration", v);
  if (seconds < -BigInt(DURATION_MAX) || seconds > BigInt(DURATION_MAX)) {
    throw ctx.error(`Duration out of range ±${DURATION_MAX}s: seconds ${seconds}`);
  }
  if (nanos < -999999999 || nanos > 999999999) throw ctx.error(`Duration.nanos out of range ±999999999: ${nanos}`);
  if ((seconds > 0n && nanos < 0) || (seconds < 0n && nanos > 0)) {
    throw ctx.error(`Duration.seconds (${seconds}) and nanos (${nanos}) have different signs`);
  }
  const negative = seconds < 0n || nanos < 0;
  return `${negative ? "-" : ""}${negative ? -seconds : seconds}${fraction(Math.abs(nanos))}s`;
}

/** A Duration from "[-]seconds[.fraction]s" with up to nine fractional digits. */
export function durationFromJson(ctx: JsonContext, json: unknown): SecondsNanos {
  if (typeof json !== "string") throw ctx.error(`expected a duration string like "1.5s", got ${describe(json)}`);
  const m = DURATION.exec(json);
  if (m === null) {
    throw ctx.error(`expected a duration like "1.5s" or "-0.000001s", got ${describe(json)}`);
  }
  const abs = Number(m[2]); // a long digit string is just a large number, caught below
  if (abs > DURATION_MAX) throw ctx.error(`duration out of range ±${DURATION_MAX}s: ${describe(json)}`);
  const nanos = nanosOf(m[3]);
  if (m[1] === "-") return { seconds: BigInt(-abs), nanos: nanos === 0 ? 0 : -nanos };
  return { seconds: BigInt(abs), nanos };
}
