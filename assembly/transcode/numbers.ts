/**
 * Numbers between JSON text and binary values, exactly as JavaScript has them, on the
 * paths that can be done exactly without big arithmetic. What is left (doubles needing
 * more than 15 significant digits or large exponents) goes to the host as a fixup.
 */

/** Exact powers of ten as doubles (10^0 .. 10^22). */
const POW10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/** Writes the decimal digits of `v` at `p`; returns the address after them. */
export function writeU64(p: usize, v: u64): usize {
  let n: usize = 1;
  for (let x = v; x >= 10; x /= 10) n++;
  let q = p + n;
  do {
    store<u8>(--q, <u8>(0x30 + <u32>(v % 10)));
    v /= 10;
  } while (v != 0);
  return p + n;
}

/** Writes `v` in decimal with a leading minus when negative. */
export function writeI64(p: usize, v: i64): usize {
  if (v < 0) {
    store<u8>(p, 0x2d);
    return writeU64(p + 1, <u64>(-v)); // -(i64.MIN) wraps to 2^63 as u64: right
  }
  return writeU64(p, <u64>v);
}

/**
 * Writes `x` as `Number.prototype.toString` does, for finite non-zero values it can do
 * exactly: `x = m / 10^p` with `m < 2^52` and `p <= 22`, in plain (not exponent) form.
 * Returns the address after the text, or 0 when `x` is outside that path.
 */
export function writeDoubleShort(p: usize, x: f64): usize {
  const neg = x < 0;
  const a = neg ? -x : x;
  if (!(a >= 1e-6 && a < 9007199254740992.0)) return 0;
  // Integers: exact, and JS prints them whole below 1e21.
  if (a == Math.floor(a)) {
    if (neg) store<u8>(p++, 0x2d);
    return writeU64(p, <u64>a);
  }
  // The fewest decimals `d` for which the nearest m/10^d parses back to x. With m below
  // 2^50 a step of 10^-d is over 4 ulps of x, so at most one such m exists (the one JS
  // prints), and the rounding error of a*10^d cannot make Math.round miss it.
  for (let d = 1; d <= 22; d++) {
    const scaled = a * unchecked(POW10[d]);
    if (scaled >= 1125899906842624.0) return 0;
    const m = Math.round(scaled);
    if (m / unchecked(POW10[d]) != a) continue;
    const digits = <u64>m;
    // Plain form: JS switches to exponent form below 1e-6, already excluded.
    if (neg) store<u8>(p++, 0x2d);
    let count: i32 = 1;
    for (let v = digits; v >= 10; v /= 10) count++;
    if (count <= d) {
      store<u8>(p++, 0x30);
      store<u8>(p++, 0x2e);
      for (let z = count; z < d; z++) store<u8>(p++, 0x30);
      return writeU64(p, digits);
    }
    const intPart = digits / <u64>unchecked(POW10[d]);
    const frac = digits - intPart * <u64>unchecked(POW10[d]);
    p = writeU64(p, intPart);
    store<u8>(p++, 0x2e);
    let fracDigits: i32 = 1;
    for (let v = frac; v >= 10; v /= 10) fracDigits++;
    for (let z = fracDigits; z < d; z++) store<u8>(p++, 0x30);
    return writeU64(p, frac);
  }
  return 0;
}

/** Result of `scanNumber`: the double when `numberExact`, the integer when `numberIsInt`. */
export let numberValue: f64 = 0;
export let numberInt: i64 = 0;
/** The token had no fraction or exponent and its integer fits in i64 (`numberInt`). */
export let numberIsInt: bool = false;
/** `numberValue` is the exact double (correctly rounded); else the host must parse the text. */
export let numberExact: bool = false;

/**
 * Scans a JSON number token at `p` (before `end`); returns the address after it, or 0 if
 * it is not one. Sets `numberIsInt`/`numberInt` for integer tokens in i64 range and
 * `numberExact`/`numberValue` when the double is found exactly (Clinger's fast path).
 */
export function scanNumber(p: usize, end: usize): usize {
  let q = p;
  let neg = false;
  if (q < end && load<u8>(q) == 0x2d) {
    neg = true;
    q++;
  }
  if (q >= end) return 0;
  let c = <u32>load<u8>(q);
  let mant: u64 = 0;
  let digits: i32 = 0; // significant digits accumulated into mant
  let dropped: i32 = 0; // integer digits beyond 19, not in mant
  let overflow = false;
  if (c == 0x30) {
    q++;
  } else if (c >= 0x31 && c <= 0x39) {
    while (q < end) {
      c = <u32>load<u8>(q);
      if (c < 0x30 || c > 0x39) break;
      if (digits < 19) {
        mant = mant * 10 + (c - 0x30);
        digits++;
      } else {
        dropped++;
        overflow = true;
      }
      q++;
    }
  } else {
    return 0;
  }
  let isInt = true;
  let fracDigits: i32 = 0;
  if (q < end && load<u8>(q) == 0x2e) {
    isInt = false;
    q++;
    const start = q;
    while (q < end) {
      c = <u32>load<u8>(q);
      if (c < 0x30 || c > 0x39) break;
      if (digits < 19) {
        if (mant != 0 || c != 0x30) {
          mant = mant * 10 + (c - 0x30);
          if (mant != 0) digits++;
        }
        fracDigits++;
      } else {
        overflow = true;
      }
      q++;
    }
    if (q == start) return 0;
  }
  let exp: i32 = 0;
  if (q < end && (load<u8>(q) | 0x20) == 0x65) {
    isInt = false;
    q++;
    let eneg = false;
    if (q < end && (load<u8>(q) == 0x2b || load<u8>(q) == 0x2d)) {
      eneg = load<u8>(q) == 0x2d;
      q++;
    }
    const start = q;
    while (q < end) {
      c = <u32>load<u8>(q);
      if (c < 0x30 || c > 0x39) break;
      if (exp < 100000) exp = exp * 10 + <i32>(c - 0x30);
      q++;
    }
    if (q == start) return 0;
    if (eneg) exp = -exp;
  }
  // Integer value (no fraction, no exponent), exact in i64.
  numberIsInt = false;
  if (isInt && !overflow) {
    if (neg) {
      if (mant <= 0x8000000000000000) {
        numberInt = <i64>(0 - mant);
        numberIsInt = true;
      }
    } else if (mant <= 0x7fffffffffffffff) {
      numberInt = <i64>mant;
      numberIsInt = true;
    }
  }
  // Double: m * 10^e exactly when m < 2^53 and |e| <= 22.
  numberExact = false;
  if (mant == 0 && !overflow) {
    numberValue = neg ? -0.0 : 0.0;
    numberExact = true;
  } else if (!overflow && mant < 9007199254740992) {
    const e = exp - fracDigits + dropped;
    if (e >= -22 && e <= 22) {
      let v = <f64>mant;
      v = e >= 0 ? v * unchecked(POW10[e]) : v / unchecked(POW10[-e]);
      numberValue = neg ? -v : v;
      numberExact = true;
    }
  }
  return q;
}
