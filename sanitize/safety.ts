/**
 * Refusing production: the target is compared with every `forbiddenHosts` entry by
 * lowercased name AND by resolved address (a CNAME or a raw IP of the production writer is
 * caught too), before any connection is opened. Entries: `host`, `host:port`,
 * `host/database`, `host:port/database` (IPv6 in brackets). Unresolvable names compare by
 * name only. Host names are not secret, so the error names the entry that matched.
 */
import { lookup } from "node:dns/promises";
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
    if (!/^\d+$/.test(p)) throw new SanitizeError([`forbiddenHosts entry "${text}": port "${p}" is not a number; use host, host:port or host:port/database`], "forbidden-host");
    port = Number(p);
  }
  if (!host) throw new SanitizeError([`forbiddenHosts entry "${text}" has no host; use host, host:port or host:port/database`], "forbidden-host");
  return { text: trimmed, host: host.toLowerCase(), port, database };
}

async function addresses(host: string): Promise<Set<string>> {
  try {
    const all = await lookup(host, { all: true, verbatim: true });
    return new Set(all.map((a) => normaliseAddress(a.address)));
  } catch {
    return new Set();
  }
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are the same host. */
function normaliseAddress(a: string): string {
  return a.toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
}

export async function assertNotForbidden(target: ConnectionTarget, forbiddenHosts: readonly string[] = []): Promise<void> {
  if (forbiddenHosts.length === 0) return;
  const entries = forbiddenHosts.map(parseForbiddenEntry);
  const targetHost = target.host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
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
