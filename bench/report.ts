/** The results table, the ratios, PASS/FAIL per target, as plain text and as Markdown. */
import type { EngineName } from "../sanitize/core/types";
import { summarize, type Measurement, type RunId, type Summary } from "./measurement";

export const RUN_LABELS: Record<RunId, string> = {
  a: "(a) article script",
  b: "(b) floor: 1 UPDATE + TRUNCATEs",
  b2: "(b') floor, same columns as (d)",
  c1: "(c1) sanitizer CLI, whole process, parallelism 1",
  cn: "(cN) sanitizer CLI, whole process, N connections (default)",
  lib: "(c) sanitizer library call (in-process), N connections",
  d: "(d) sanitizer library call, email transform, N connections",
  rerun: "(cN) CLI re-run on sanitized data",
  verify: "(cN) CLI verify on sanitized data",
};
const ORDER: RunId[] = ["a", "b", "b2", "c1", "cn", "lib", "d", "rerun", "verify"];

export interface TargetResult {
  engine: EngineName;
  name: string;
  ratio: number;
  limit: number;
  pass: boolean;
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const s = (ms: number): string => (ms / 1000).toFixed(2);

export function summaries(ms: Measurement[], engine: EngineName): Map<RunId, Summary> {
  const out = new Map<RunId, Summary>();
  for (const r of ORDER) {
    const x = summarize(ms, engine, r);
    if (x) out.set(r, x);
  }
  return out;
}

export function targets(ms: Measurement[], engine: EngineName): TargetResult[] {
  const sm = summaries(ms, engine);
  const get = (r: RunId) => sm.get(r);
  const out: TargetResult[] = [];
  const add = (name: string, num: number | undefined, den: number | undefined, limit: number) => {
    if (num === undefined || den === undefined) return;
    const ratio = den === 0 ? (num === 0 ? 0 : Infinity) : num / den;
    out.push({ engine, name, ratio, limit, pass: ratio <= limit });
  };
  const a = get("a"),
    b = get("b"),
    c1 = get("c1"),
    cn = get("cn"),
    re = get("rerun"),
    ver = get("verify");
  // Issue 11's targets; the sanitizer's times are the whole CLI process (start to exit).
  add("cN/b time (whole process)", cn?.wallMs, b?.runMs, 0.8);
  add("cN/b log bytes (WAL/redo)", cn?.logBytes, b?.logBytes, 1.03);
  add("cN/b data pages written", cn?.pageBytes, b?.pageBytes, 1.0);
  add("cN/a time (whole process)", cn?.wallMs, a?.runMs, 0.6);
  add("c1/b time, one connection (whole process)", c1?.wallMs, b?.runMs, 1.1);
  add("re-run / verify time (whole processes)", re?.wallMs, ver?.wallMs, 1.1);
  // Not zero: the re-run records itself in the runs table (audit trail), a few hundred bytes.
  add("re-run/cN log bytes", re?.logBytes, cn?.logBytes, 0.001);
  const rss = ["c1", "cn", "lib", "d", "rerun", "verify"]
    .map((r) => get(r as RunId)?.peakRssKb)
    .filter((x): x is number => x !== undefined);
  if (rss.length)
    out.push({
      engine,
      name: "peak RSS (MB) / 150 MB",
      ratio: Math.max(...rss) / 1024 / 150,
      limit: 1,
      pass: Math.max(...rss) / 1024 <= 150,
    });
  return out;
}

/** Ratios shown for information (no target). */
export function infoRatios(ms: Measurement[], engine: EngineName): Array<[string, number]> {
  const sm = summaries(ms, engine);
  const pairs: Array<[string, RunId, RunId]> = [
    ["c1/a time (whole process)", "c1", "a"],
    ["cN/c1 time (N connections vs 1, whole processes)", "cn", "c1"],
    ["library call/b time (in-process, N connections)", "lib", "b"],
    ["library call/a time (in-process, N connections)", "lib", "a"],
    ["library process incl. Node start-up/b time", "lib", "b"],
    ["d/b' time", "d", "b2"],
    ["b'/b time", "b2", "b"],
    ["d/b' log bytes", "d", "b2"],
    ["cN/a log bytes", "cn", "a"],
    ["cN/a data pages written", "cn", "a"],
  ];
  const out: Array<[string, number]> = [];
  for (const [name, x, y] of pairs) {
    const nx = sm.get(x),
      ny = sm.get(y);
    if (!nx || !ny) continue;
    const key = name.includes("log")
      ? "logBytes"
      : name.includes("pages")
        ? "pageBytes"
        : name.includes("Node") || name.includes("whole")
          ? "wallMs"
          : "runMs";
    out.push([name, nx[key] / ny[key]]);
  }
  return out;
}

export function markdownTable(ms: Measurement[], engine: EngineName): string {
  const rows = [
    "| run | rounds | time s (median) | wall s incl. Node start-up | rows masked | rows/s | WAL/redo MB | data pages written MB | peak RSS MB | then purge+flush s (not measured) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const [r, x] of summaries(ms, engine)) {
    rows.push(
      `| ${RUN_LABELS[r]} | ${x.rounds} | ${s(x.runMs)} | ${x.innerMs !== undefined ? s(x.wallMs) : ""} | ${x.rows} | ${Math.round(x.rowsPerSec)} | ${mb(x.logBytes)} | ${mb(x.pageBytes)} | ${x.peakRssKb !== undefined ? (x.peakRssKb / 1024).toFixed(0) : ""} | ${s(x.settleAfterMs)} |`,
    );
  }
  return rows.join("\n");
}

/** Where the sanitizer's wall time goes (medians), next to the floor's. */
export function markdownPhases(ms: Measurement[], engine: EngineName): string {
  const rows = [
    "| run | wall s | Node start-up + exit s | before masking s (connect, introspect, plan, truncate, count, sample) | masking span s | after masking s (verify, record) |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const [r, x] of summaries(ms, engine)) {
    if (x.innerMs === undefined) continue;
    const f = (v: number | undefined) => (v === undefined ? "" : s(v));
    rows.push(
      `| ${RUN_LABELS[r]} | ${s(x.wallMs)} | ${f(x.startupMs)} | ${f(x.beforeMaskMs)} | ${f(x.maskSpanMs)} | ${f(x.afterMaskMs)} |`,
    );
  }
  return rows.join("\n");
}

/** Table sizes after each run and, on PostgreSQL, the share of HOT updates (first round). */
export function markdownTableStats(ms: Measurement[], engine: EngineName): string {
  const rows = ["| run | table | table MB after | indexes MB after | HOT updates |", "|---|---|---:|---:|---:|"];
  const firstRound = Math.min(...ms.filter((m) => m.engine === engine).map((m) => m.round));
  for (const m of ms.filter((x) => x.engine === engine && x.round === firstRound)) {
    for (const t of m.tables ?? []) {
      const hot = t.updated
        ? `${((100 * (t.hotUpdated ?? 0)) / t.updated).toFixed(0)} % of ${t.updated}`
        : t.updated === 0
          ? "no updates"
          : "";
      rows.push(`| ${RUN_LABELS[m.run]} | ${t.table} | ${mb(t.tableBytes)} | ${mb(t.indexBytes)} | ${hot} |`);
    }
  }
  return rows.join("\n");
}

export function markdownTargets(ts: TargetResult[]): string {
  return [
    "| engine | target | measured | limit | result |",
    "|---|---|---:|---:|---|",
    ...ts.map((t) => `| ${t.engine} | ${t.name} | ${t.ratio.toFixed(3)} | ${t.limit} | ${t.pass ? "PASS" : "FAIL"} |`),
  ].join("\n");
}

export function markdownInfo(ms: Measurement[], engine: EngineName): string {
  return infoRatios(ms, engine)
    .map(([n, v]) => `- ${engine}: ${n} = ${v.toFixed(3)}`)
    .join("\n");
}

/** Per-chunk timings of the sanitizer runs (median of each round's median/max chunk). */
export function markdownChunks(ms: Measurement[], engine: EngineName): string {
  const lines: string[] = [];
  for (const m of ms.filter((x) => x.engine === engine && x.chunks)) {
    for (const [table, c] of Object.entries(m.chunks ?? {})) {
      lines.push(
        `- ${engine} ${m.run} round ${m.round}: ${table}: ${c.count} chunks, median ${c.medianMs.toFixed(0)} ms, slowest ${c.maxMs.toFixed(0)} ms`,
      );
    }
  }
  return lines.join("\n");
}
