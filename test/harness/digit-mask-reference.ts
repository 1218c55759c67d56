/**
 * The TypeScript twin of sanitize/transforms/digit-mask.ts, written from its definition, so the
 * tests compare what each engine computes with an independent computation (BigInt arithmetic,
 * Node's HMAC) instead of hard-coded outputs.
 */
import { FEISTEL_ROUNDS, PERMUTE_MAX_DIGITS, SECOND_BLOCK, SLOT_LIMIT, feistelTweak } from "../../sanitize/transforms/digit-mask";
import { hmac } from "./transform-helpers";

export function referenceDigitMask(value: string, keepPrefix: number, permute: boolean, key: string): string {
  const chars = [...value];
  const prefix = chars.slice(0, keepPrefix).join("");
  const rest = chars.slice(keepPrefix).join("");
  const digits = rest.replace(/[^0-9]/g, "");
  const n = digits.length;
  if (chars.length - Math.min(keepPrefix, chars.length) > SLOT_LIMIT) {
    const map = BigInt("0x" + hmac(value, key).slice(0, 15))
      .toString()
      .padStart(19, "0")
      .slice(9, 19);
    return prefix + rest.replace(/[0-9]/g, (d) => map[Number(d)]);
  }
  let out: string;
  if (permute && n <= PERMUTE_MAX_DIGITS) {
    out = permuteDigits(digits, key);
  } else {
    const h1 = hmac(value, key);
    const h = n > 32 ? h1 + hmac(SECOND_BLOCK + h1, key) : h1;
    out = [...digits]
      .map((d, i) => {
        const at = i === 0 ? 0 : 2 * (i % 64);
        const x = parseInt(h.slice(at, at + 2), 16);
        return String((Number(d) + (i === 0 ? 1 + (x % 9) : x)) % 10);
      })
      .join("");
  }
  let j = 0;
  return prefix + rest.replace(/[0-9]/g, () => out[j++]);
}

function permuteDigits(digits: string, key: string): string {
  const n = digits.length;
  const u = Math.floor(n / 2);
  const v = n - u;
  const pow = (m: number) => 10n ** BigInt(m);
  const prf = (r: number, b: bigint, len: number) =>
    BigInt("0x" + hmac(`${feistelTweak(r)}${n}:${b.toString().padStart(len, "0")}`, key).slice(0, 15));
  const mod = (x: bigint, m: bigint) => ((x % m) + m) % m;
  let a = BigInt("0" + digits.slice(0, u));
  let b = BigInt("0" + digits.slice(u));
  const m = (r: number) => (r % 2 === 0 ? u : v);
  const lenB = (r: number) => (r % 2 === 0 ? v : u);
  for (let r = 0; r < FEISTEL_ROUNDS; r++) [a, b] = [b, mod(a + prf(r, b, lenB(r)), pow(m(r)))];
  const b1 = mod(b + 1n, pow(v));
  if (b1 === 0n) a = mod(a + 1n, pow(u));
  b = b1;
  for (let r = FEISTEL_ROUNDS - 1; r >= 0; r--) [a, b] = [mod(b - prf(r, a, lenB(r)), pow(m(r))), a];
  return (u > 0 ? a.toString().padStart(u, "0") : "") + (v > 0 ? b.toString().padStart(v, "0") : "");
}
