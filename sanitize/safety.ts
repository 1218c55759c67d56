/**
 * Refusing production: the target is compared with every `forbiddenHosts` entry by
 * canonical name AND by resolved address (a CNAME or a raw IP of the production writer is
 * caught too), before any connection is opened. Every spelling of an address is brought to one
 * form first, on both sides: the resolver accepts `2130706433`, `0x7f000001`, `0177.0.0.1` and
 * `127.1` for 127.0.0.1, and `::ffff:7f00:1` reaches the same socket as 127.0.0.1, so comparing
 * text would let any of them through. All loopback (and unspecified) addresses count as one
 * host: a server listening on 0.0.0.0 answers on 127.0.0.2 as well as 127.0.0.1. Entries: `host`, `host:port`,
 * `host/database`, `host:port/database` (IPv6 in brackets). Unresolvable names compare by
 * name only. Host names are not secret, so the error names the entry that matched.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { addressKey, canonicalHost } from "./core/host";
import { SanitizeError, type ConnectionTarget } from "./core/types";

interface Entry {
  text: string;
  host: string;
  port?: number;
  database?: string;
}

export function parseForbiddenEntry(text: string): Entry {
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  const hostPort = slash >= 0 ? trimmed.slice(0, slash) : trimmed;
  const database = slash >= 0 ? trimmed.slice(slash + 1) || undefined : undefined;
  let host = hostPort;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  if (bracket) {
    host = bracket[1];
    port = bracket[2] ? Number(bracket[2]) : undefined;
  } else if ((hostPort.match(/:/g) ?? []).length === 1) {
    const [h, p] = hostPort.split(":");
    host = h;
    if (!/^\d+$/.test(p))
      throw new SanitizeError(
        [`forbiddenHosts entry "${text}": port "${p}" is not a number; use host, host:port or host:port/database`],
        "forbidden-host",
      );
    port = Number(p);
  }
  if (!host)
    throw new SanitizeError([`forbiddenHosts entry "${text}" has no host; use host, host:port or host:port/database`], "forbidden-host");
  return { text: trimmed, host: canonicalHost(host), port, database };
}

async function addresses(host: string): Promise<Set<string>> {
  const out = new Set<string>();
  if (isIP(host)) out.add(addressKey(host));
  try {
    for (const a of await lookup(host, { all: true, verbatim: true })) out.add(addressKey(a.address));
  } catch {
    // unresolvable: compared by name only
  }
  return out;
}

export async function assertNotForbidden(target: ConnectionTarget, forbiddenHosts: readonly string[] = []): Promise<void> {
  if (forbiddenHosts.length === 0) return;
  const entries = forbiddenHosts.map(parseForbiddenEntry);
  const targetHost = canonicalHost(target.host);
  const targetAddrs = await addresses(targetHost);
  for (const e of entries) {
    if (e.port !== undefined && e.port !== target.port) continue;
    if (e.database !== undefined && e.database.toLowerCase() !== target.database.toLowerCase()) continue;
    let match = e.host === targetHost ? "name" : undefined;
    if (!match && targetAddrs.size) {
      const entryAddrs = await addresses(e.host);
      if ([...entryAddrs].some((a) => targetAddrs.has(a))) match = "resolved address";
    }
    if (match) {
      throw new SanitizeError(
        [
          `refusing to touch ${target.host}:${target.port}/${target.database}: it matches forbiddenHosts entry "${e.text}" (by ${match}). ` +
            "This looks like a production database; point the sanitizer at the staging clone's endpoint instead, " +
            "or remove the entry if it is really not production.",
        ],
        "forbidden-host",
      );
    }
  }
}
