/**
 * Keyed digit masking, the engine behind `phone`: every digit after a kept prefix is replaced,
 * everything else (punctuation, spaces, letters, the length) stays where it was.
 *
 * Two modes, both deterministic under the masking key and never returning the input itself:
 * - keyed digits: digit j becomes (d_j + s_j) mod 10, with s_j from the HMAC of the whole value
 *   and s_1 in 1..9 (so the output always differs). Outputs look random: distinct inputs rarely
 *   collide (about n^2 / 2*10^digits), but they can.
 * - permutation (unique columns): a keyed, fixed-point-free permutation of the digit string,
 *   P^-1(P(D) + 1 mod 10^n) with P an FF1-style Feistel network (modular addition over the two
 *   halves, round function from the HMAC). A bijection on digit strings of each length, so
 *   distinct inputs always give distinct outputs; "+1" on a permutation's image has no fixed
 *   point, so no value maps to itself.
 * The TypeScript twin in test/transforms-phone.test.ts recomputes both to check the engines.
 */
import { param, raw, sql, type Sql } from "../core/sql";
import type { BoundRef, MaskingKey, TransformContext } from "../core/types";
import { digitMap, keepNull } from "./common";

/** Two halves of at most 18 digits: the Feistel arithmetic stays in 64-bit integers on both engines. */
export const PERMUTE_MAX_DIGITS = 36;
export const FEISTEL_ROUNDS = 10;
/**
 * Characters after the prefix handled digit by digit. MySQL's GROUP_CONCAT stops at 1024 bytes
 * by default; longer values (never phone numbers) get a per-value digit map instead (every digit
 * still replaced).
 */
export const SLOT_LIMIT = 250;
/** Hex chars of HMAC per output digit, and digits one HMAC covers. */
const HEX_PER_DIGIT = 2;
const DIGITS_PER_BLOCK = 64 / HEX_PER_DIGIT;
/** Private-use character (not in phone numbers) marking where the digits were. */
const SLOT = "\uE000";

export interface DigitMaskOptions {
  keepPrefix: number;
  permute: boolean;
}

/** Domain-separated HMAC inputs, so a round function never equals the HMAC of a real value. */
export const feistelTweak = (round: number): string => `\u0001fpe${round}:`;
export const SECOND_BLOCK = "\u0001more:";

export function renderDigitMask(ctx: TransformContext, key: MaskingKey, opts: DigitMaskOptions): Sql {
  const { fn } = ctx;
  const lit = (n: number): Sql => raw(String(n));
  const int = (ref: BoundRef, name: string): Sql => fn.toBigint(ref(name));
  const hmacInt = (input: Sql[]): Sql => fn.hexToInt(fn.substr(fn.hmacHex(fn.concat(input), key), 1, 15));
  const isLong = (ref: BoundRef): Sql => sql`(${fn.charLength(ref("rest"))} > ${lit(SLOT_LIMIT)})`;

  const steps: Array<(ref: BoundRef) => Record<string, Sql>> = [
    // At most SLOT_LIMIT + 1 characters: enough to tell a long value, and bound values stay short.
    () => ({ rest: fn.substr(ctx.self, opts.keepPrefix + 1, SLOT_LIMIT + 1) }),
    (ref) => {
      const n = fn.charLength(fn.digitsOnly(ref("rest")));
      // The permutation needs no HMAC of the value; only its fallbacks do.
      const needed = opts.permute ? sql`(${n} > ${lit(PERMUTE_MAX_DIGITS)} OR ${isLong(ref)})` : raw("1 = 1");
      return {
        d: fn.digitsOnly(ref("rest")),
        f: sql`CASE WHEN ${isLong(ref)} THEN '' ELSE ${fn.markDigits(ref("rest"), SLOT)} END`,
        h1: sql`CASE WHEN ${needed} THEN ${fn.hmacHex(ctx.self, key)} END`,
      };
    },
    (ref) => ({
      n: fn.charLength(ref("d")),
      h: sql`CASE WHEN ${fn.charLength(ref("d"))} > ${lit(DIGITS_PER_BLOCK)} THEN ${fn.concat([ref("h1"), fn.hmacHex(fn.concat([param(SECOND_BLOCK), ref("h1")]), key)])} ELSE ${ref("h1")} END`,
    }),
  ];

  const keyedDigit =
    (ref: BoundRef) =>
    (j: Sql): Sql => {
      const offsetAt = sql`${lit(HEX_PER_DIGIT)} * mod(${j} - 1, ${lit(2 * DIGITS_PER_BLOCK)}) + 1`;
      const offset = sql`CASE WHEN ${j} = 1 THEN 1 + mod(${fn.hexToInt(fn.substrAt(ref("h"), lit(1), lit(HEX_PER_DIGIT)))}, 9) ELSE ${fn.hexToInt(fn.substrAt(ref("h"), offsetAt, lit(HEX_PER_DIGIT)))} END`;
      const digit = fn.toText(sql`mod(${fn.toBigint(fn.substrAt(ref("d"), j, lit(1)))} + ${offset}, 10)`);
      return sql`CASE WHEN ${j} <= ${int(ref, "n")} THEN ${digit} ELSE '' END`;
    };

  if (opts.permute) steps.push(...feistelSteps(ctx, hmacInt, int));

  const body = (ref: BoundRef): Sql => {
    const prefixed = (rest: Sql): Sql => (opts.keepPrefix > 0 ? fn.concat([fn.substr(ctx.self, 1, opts.keepPrefix), rest]) : rest);
    const keyed = prefixed(fn.interleave(ref("f"), SLOT, keyedDigit(ref)));
    const long = prefixed(fn.mapDigits(fn.substr(ctx.self, opts.keepPrefix + 1), digitMap(ctx, ref("h1"))));
    if (!opts.permute) return sql`CASE WHEN ${isLong(ref)} THEN ${long} ELSE ${keyed} END`;
    const permuted = prefixed(fn.interleave(ref("f"), SLOT, (j) => fn.substrAt(ref("o"), j, lit(1))));
    // Beyond 36 digits a random keyed output collides with odds of 10^-36 or less.
    return sql`CASE WHEN ${isLong(ref)} THEN ${long} WHEN ${int(ref, "n")} > ${lit(PERMUTE_MAX_DIGITS)} THEN ${keyed} ELSE ${permuted} END`;
  };
  return keepNull(ctx.self, fn.bind(steps, body));
}

/** P^-1(P(D) + 1): encrypt, add one to the whole number (carry from b into a), decrypt. */
function feistelSteps(
  ctx: TransformContext,
  hmacInt: (input: Sql[]) => Sql,
  int: (ref: BoundRef, name: string) => Sql,
): Array<(ref: BoundRef) => Record<string, Sql>> {
  const { fn } = ctx;
  const lit = (n: number): Sql => raw(String(n));
  const steps: Array<(ref: BoundRef) => Record<string, Sql>> = [
    // The digits the permutation covers ('' when a fallback handles the value).
    (ref) => ({
      p: sql`CASE WHEN ${int(ref, "n")} <= ${lit(PERMUTE_MAX_DIGITS)} AND ${fn.charLength(ref("rest"))} <= ${lit(SLOT_LIMIT)} THEN ${ref("d")} ELSE '' END`,
    }),
    (ref) => ({ pn: fn.charLength(ref("p")) }),
    (ref) => ({ u: sql`FLOOR(${int(ref, "pn")} / 2)` }),
    (ref) => ({
      v: sql`${int(ref, "pn")} - ${int(ref, "u")}`,
      a0: fn.toBigint(fn.substrAt(ref("p"), lit(1), ref("u"))),
      b0: fn.toBigint(fn.substrAt(ref("p"), sql`${int(ref, "u")} + 1`)),
    }),
  ];
  // Round r works mod 10^m with m = |a|; b (the other half) feeds the round function.
  const half = (ref: BoundRef, r: number, ofA: boolean): Sql => ref((r % 2 === 0) === ofA ? "u" : "v");
  const prf = (ref: BoundRef, r: number, b: Sql): Sql =>
    hmacInt([param(feistelTweak(r)), ref("pn"), param(":"), fn.padDigits(b, half(ref, r, false))]);
  let state = 0;
  for (let r = 0; r < FEISTEL_ROUNDS; r++) {
    const s = state++;
    steps.push((ref) => {
      const m = fn.pow10(half(ref, r, true));
      return { [`a${s + 1}`]: ref(`b${s}`), [`b${s + 1}`]: sql`mod(${int(ref, `a${s}`)} + ${prf(ref, r, ref(`b${s}`))}, ${m})` };
    });
  }
  {
    const s = state++;
    steps.push((ref) => {
      const b = sql`mod(${int(ref, `b${s}`)} + 1, ${fn.pow10(ref("v"))})`;
      return {
        [`a${s + 1}`]: sql`CASE WHEN ${b} = 0 THEN mod(${int(ref, `a${s}`)} + 1, ${fn.pow10(ref("u"))}) ELSE ${int(ref, `a${s}`)} END`,
        [`b${s + 1}`]: b,
      };
    });
  }
  for (let r = FEISTEL_ROUNDS - 1; r >= 0; r--) {
    const s = state++;
    steps.push((ref) => {
      const m = fn.pow10(half(ref, r, true));
      // a + 10^m - (y mod 10^m) stays non-negative: MySQL's unsigned arithmetic refuses to go below 0.
      const a = sql`mod(${int(ref, `b${s}`)} + ${m} - mod(${prf(ref, r, ref(`a${s}`))}, ${m}), ${m})`;
      return { [`a${s + 1}`]: a, [`b${s + 1}`]: ref(`a${s}`) };
    });
  }
  steps.push((ref) => ({ o: fn.concat([fn.padDigits(ref(`a${state}`), ref("u")), fn.padDigits(ref(`b${state}`), ref("v"))]) }));
  return steps;
}
