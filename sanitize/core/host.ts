/**
 * One spelling per host, so the production guard and the TLS default can't be spelled around:
 * the system resolver (and so every driver) accepts many spellings of one address.
 */

/** Characters a host name or IP literal can have; anything else is not handed to the URL parser. */
const HOST_CHARS = /^[a-z0-9._~:-]+$/;

/**
 * One spelling per host: lowercase, no brackets, no trailing dots; IPv4 in dotted decimal
 * (the WHATWG host parser reads decimal, hex, octal and short forms as inet_aton does);
 * IPv6 compressed, and IPv4-mapped/-compatible IPv6 as the IPv4 address it reaches.
 */
export function canonicalHost(raw: string): string {
  const h = raw
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/%.*$/, "")
    .replace(/\.+$/, "");
  if (!HOST_CHARS.test(h)) return h;
  let parsed: string;
  try {
    parsed = new URL(`http://${h.includes(":") ? `[${h}]` : h}/`).hostname.replace(/^\[(.*)\]$/, "$1");
  } catch {
    return h;
  }
  const v4 = /^::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(parsed);
  if (v4) {
    const n = (parseInt(v4[1], 16) << 16) | parseInt(v4[2], 16);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
  }
  const dotted = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(parsed);
  return dotted ? dotted[1] : parsed;
}

/** Loopback and unspecified addresses all reach this machine: one key for them all. */
export function addressKey(address: string): string {
  const a = canonicalHost(address);
  return /^127\./.test(a) || a === "::1" || a === "0.0.0.0" || a === "::" ? "loopback" : a;
}
