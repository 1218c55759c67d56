/**
 * `npm run bench`: the sanitizer against the article's script and the hand-written floor, on
 * real PostgreSQL and MariaDB servers started here (durability on), each contender on a fresh
 * copy of the same synthetic production dataset, interleaved over several rounds.
 */
import { cpus, totalmem, release } from "node:os";
import { writeFileSync } from "node:fs";
import { deriveMaskingKey } from "../sanitize/core/masking-key";
import type { EngineName } from "../sanitize/core/types";
import { parseBenchArgs, type BenchArgs } from "./args";
import {
  ARTICLE_RULES,
  DETERMINISTIC_RULES,
  articleSteps,
  floorDeterministicSteps,
  floorSteps,
  type ContenderId,
  type SqlStep,
} from "./contenders";
import { BASE_DATABASE, type BenchEngine, type Sizes, type TableStats } from "./engine";
import { mariadbEngine } from "./mysql-engine";
import { postgresEngine } from "./postgres-engine";
import { median, type Measurement, type RunId } from "./measurement";
import {
  RUN_LABELS,
  markdownChunks,
  markdownInfo,
  markdownPhases,
  markdownTable,
  markdownTableStats,
  markdownTargets,
  targets,
} from "./report";
import { runCli, type CliResult } from "./run-cli";
import { BENCH_MASKING_KEY, runSanitizer } from "./sanitizer-child";
import type { SanitizerResult } from "./sanitizer-job";

interface EngineInfo {
  version: string;
  settings: Record<string, string>;
  baseMs: number;
  baseTables: TableStats[];
}

const log = (msg: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** Rows each contender masks: users, plus orders for the deterministic pair. */
function rowsMasked(id: RunId, sizes: Sizes): number {
  return id === "b2" || id === "d" ? sizes.users + sizes.orders : id === "rerun" || id === "verify" ? 0 : sizes.users;
}

async function runSql(engine: BenchEngine, database: string, steps: SqlStep[]): Promise<void> {
  const s = await engine.session(database);
  try {
    for (const step of steps) await s.exec(step.text, step.params);
  } finally {
    await s.close();
  }
}

function chunkStats(r: SanitizerResult): Measurement["chunks"] {
  const out: NonNullable<Measurement["chunks"]> = {};
  for (const [t, xs] of Object.entries(r.chunkMs)) out[t] = { count: xs.length, medianMs: median(xs), maxMs: Math.max(...xs) };
  return out;
}

/** A cheap check outside the measurement that a contender really did its work. */
async function checkSanitized(engine: BenchEngine, database: string, id: RunId): Promise<void> {
  const s = await engine.session(database);
  try {
    const count = async (q: string) => Number(Object.values((await s.exec(q))[0])[0]);
    const problems: string[] = [];
    if ((await count("SELECT COUNT(*) FROM users WHERE email NOT LIKE '%@example.com'")) !== 0) problems.push("users.email not masked");
    if ((await count("SELECT COUNT(*) FROM session_tokens")) !== 0) problems.push("session_tokens not empty");
    if ((await count("SELECT COUNT(*) FROM payment_audit_log")) !== 0) problems.push("payment_audit_log not empty");
    if (id === "b2" || id === "d") {
      const mismatched = await count("SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE o.customer_email <> u.email");
      if (mismatched !== 0) problems.push(`${mismatched} orders.customer_email do not match users.email`);
    }
    if (problems.length) throw new Error(`contender ${RUN_LABELS[id]} on ${engine.name} left the data unsanitized: ${problems.join("; ")}`);
  } finally {
    await s.close();
  }
}

/** Runs one contender (and, for c1, the re-run) on a fresh copy; returns its measurements. */
async function measure(engine: BenchEngine, id: ContenderId, round: number, args: BenchArgs): Promise<Measurement[]> {
  const sizes: Sizes = { users: args.users, orders: args.orders };
  const dbName = `bench_${id}_r${round}`;
  const target = await engine.freshCopy(dbName);
  const out: Measurement[] = [];
  try {
    // biome-ignore lint/suspicious/noConfusingVoidType: the SQL contenders resolve to nothing (runSql)
    const once = async (run: RunId, work: () => Promise<SanitizerResult | CliResult | void>): Promise<void> => {
      await engine.settle();
      const before = await engine.snapshot();
      const t0 = process.hrtime.bigint();
      const r = await work();
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      // Not part of the measurement, but shown: background work the run left behind
      // (MariaDB: purge of old row versions, then flushing; PostgreSQL: the checkpoint).
      const s0 = Date.now();
      await engine.settle();
      const settleAfterMs = Date.now() - s0;
      const written = await engine.written(before, await engine.snapshot());
      const m: Measurement = { engine: engine.name, run, round, wallMs, rows: rowsMasked(run, sizes), written, settleAfterMs };
      if (r && !("report" in r)) {
        // The CLI as a whole process: wallMs is its time; no inside view.
        m.peakRssKb = r.peakRssKb;
        m.alreadyDone = r.alreadyDone;
        m.verified = r.verified;
        if (!r.verified) throw new Error(`${RUN_LABELS[run]} on ${engine.name}: verification failed: ${r.failedChecks.join("; ")}`);
        if (run === "rerun" && !r.alreadyDone) log(`  warning: the re-run did not recognise the finished run (alreadyDone=false)`);
      } else if (r) {
        m.innerMs = r.ms;
        m.maskMs = r.report.tables.filter((t) => t.action.startsWith("mask")).reduce((a, t) => a + t.ms, 0);
        m.peakRssKb = r.peakRssKb;
        m.phases = r.phases;
        m.chunks = chunkStats(r);
        m.alreadyDone = r.report.alreadyDone;
        m.verified = r.report.verified;
        if (run !== "rerun" && !r.report.verified)
          throw new Error(
            `${RUN_LABELS[run]} on ${engine.name}: the sanitizer's verification failed: ${JSON.stringify(r.report.checks.filter((c) => !c.passed))}`,
          );
        if (run === "rerun" && !r.report.alreadyDone) log(`  warning: the re-run did not recognise the finished run (alreadyDone=false)`);
      }
      m.tables = await engine.tableStats(dbName);
      out.push(m);
      log(
        `  ${engine.name} round ${round} ${RUN_LABELS[run]}: ${((m.innerMs ?? wallMs) / 1000).toFixed(2)} s` +
          (m.innerMs !== undefined
            ? ` (${(wallMs / 1000).toFixed(2)} s with Node start-up)`
            : run.startsWith("c") || run === "rerun" || run === "verify"
              ? " (whole CLI process)"
              : "") +
          `, ` +
          `log ${(written.logBytes / 1048576).toFixed(1)} MB, pages ${((written.pagesWritten * written.pageSize) / 1048576).toFixed(1)} MB` +
          (m.peakRssKb ? `, peak RSS ${(m.peakRssKb / 1024).toFixed(0)} MB` : ""),
      );
      if (run !== "verify") await checkSanitized(engine, dbName, run);
    };
    // parallelism undefined: the sanitizer's default, N = the server's CPU count (loopback: this machine's).
    const sanitizer = (rules: string, parallelism?: number) => () =>
      runSanitizer({ target, rules, parallelism, chunkSize: args.chunkSize });
    const cli = (command: "sanitize" | "verify", parallelism?: number) => () =>
      runCli({ command, target, rules: ARTICLE_RULES, parallelism, chunkSize: args.chunkSize });
    switch (id) {
      case "a":
        await once("a", () => runSql(engine, dbName, articleSteps()));
        break;
      case "b":
        await once("b", () => runSql(engine, dbName, floorSteps(engine.name)));
        break;
      case "b2":
        await once("b2", () => runSql(engine, dbName, floorDeterministicSteps(engine.name, deriveMaskingKey(BENCH_MASKING_KEY))));
        break;
      case "c1":
        await once("c1", cli("sanitize", 1));
        break;
      case "cn":
        await once("cn", cli("sanitize"));
        await once("rerun", cli("sanitize"));
        await once("verify", cli("verify"));
        break;
      case "lib":
        await once("lib", sanitizer(ARTICLE_RULES));
        break;
      case "d":
        await once("d", sanitizer(DETERMINISTIC_RULES));
        break;
    }
  } finally {
    await engine.dropCopy(dbName);
  }
  return out;
}

async function benchEngine(name: EngineName, args: BenchArgs, results: Measurement[]): Promise<EngineInfo> {
  log(`starting ${name} (durability on)`);
  const engine = name === "postgres" ? await postgresEngine() : await mariadbEngine();
  try {
    const version = await engine.version();
    log(`${version}: generating ${args.users} users, ${args.orders} orders ...`);
    const t0 = Date.now();
    await engine.createBase({ users: args.users, orders: args.orders });
    const baseMs = Date.now() - t0;
    const baseTables = await engine.tableStats(BASE_DATABASE);
    log(`base dataset ready in ${(baseMs / 1000).toFixed(1)} s`);
    for (let round = 1; round <= args.rounds; round++) {
      // Interleaved, and rotated each round, so drift (cache warmth, other load) spreads over all.
      const order = args.only.map((_, i) => args.only[(i + round - 1) % args.only.length]);
      for (const id of order) results.push(...(await measure(engine, id, round, args)));
    }
    return { version, settings: engine.settings, baseMs, baseTables };
  } finally {
    await engine.stop();
  }
}

function machine(): string {
  const c = cpus();
  return `${c.length} cores (${c[0]?.model ?? "unknown CPU"}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Linux ${release()}, Node ${process.version}`;
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const command = `npm run bench -- --users ${args.users} --orders ${args.orders} --rounds ${args.rounds} --engines ${args.engines.join(",")}${args.only.length < 7 ? ` --only ${args.only.join(",")}` : ""}${args.chunkSize ? ` --chunk-size ${args.chunkSize}` : ""}`;
  const started = Date.now();
  const results: Measurement[] = [];
  const info: Record<string, EngineInfo> = {};
  for (const e of args.engines) info[e] = await benchEngine(e, args, results);

  const md: string[] = [
    `Command: \`${command}\``,
    `Machine: ${machine()}`,
    `N (the sanitizer's default connections on a loopback server = this machine's CPUs): ${cpus().length}`,
    `Total run time: ${((Date.now() - started) / 60000).toFixed(1)} min`,
    "",
  ];
  let failed = 0;
  for (const e of args.engines) {
    const ts = targets(results, e);
    failed += ts.filter((t) => !t.pass).length;
    md.push(
      `### ${info[e].version}`,
      "",
      `Settings: ${Object.entries(info[e].settings)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")}. Base dataset generated in ${(info[e].baseMs / 1000).toFixed(1)} s; ` +
        `before sanitizing: ${info[e].baseTables.map((t) => `${t.table} ${(t.tableBytes / 1048576).toFixed(1)} MB + indexes ${(t.indexBytes / 1048576).toFixed(1)} MB`).join(", ")}.`,
      "",
      markdownTable(results, e),
      "",
      markdownTargets(ts),
      "",
      "Where the sanitizer's time goes (medians):",
      "",
      markdownPhases(results, e),
      "",
      markdownInfo(results, e),
      "",
      "Tables after each run (first round; diagnostics read after the measurement):",
      "",
      markdownTableStats(results, e),
      "",
      "Sanitizer chunks:",
      "",
      markdownChunks(results, e),
      "",
    );
  }
  const text = md.join("\n");
  console.log("\n" + text);
  if (args.out) writeFileSync(args.out, text + "\n");
  if (args.json) writeFileSync(args.json, JSON.stringify({ command, machine: machine(), info, results }, null, 2) + "\n");
  const evaluated = args.engines.reduce((n, e) => n + targets(results, e).length, 0);
  console.log(
    evaluated === 0
      ? "\nno targets evaluated (run all contenders for them)"
      : failed
        ? `\n${failed} of ${evaluated} target(s) FAILED (see above)`
        : `\nall ${evaluated} targets PASS`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
