#!/usr/bin/env node
// Makes sure the database servers the tests and benchmarks start are installed: PostgreSQL
// (15+, Debian's) and MariaDB (Debian's 10.11). Installs what is missing with apt-get when
// running as root; otherwise says exactly what to install. Starts nothing: the test harness
// starts its own servers on free loopback ports in temp dirs.
import { existsSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";

const hasPostgres = () =>
  existsSync("/usr/lib/postgresql") && readdirSync("/usr/lib/postgresql").some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
const hasMariadb = () => ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"].some((p) => existsSync(p)) && existsSync("/usr/bin/mariadb-install-db");

// pg_cron for the PostgreSQL major that is installed (test/cluster-access.test.ts disables
// production's cron jobs on a real pg_cron).
const pgMajors = () =>
  existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql").filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`))
    : [];
const newestPg = () => pgMajors().sort((a, b) => Number(b) - Number(a))[0] ?? "15";
const hasPgCron = () => existsSync(`/usr/lib/postgresql/${newestPg()}/lib/pg_cron.so`);

// Which servers: all by default (the tests, with pg_cron); `postgres` and/or `mysql` as
// arguments narrow it (scripts/demo.mjs asks for the one its --engine needs).
const wanted = process.argv.slice(2);
const wants = (engine) => wanted.length === 0 || wanted.includes(engine);
const missing = [];
if (wants("postgres") && !hasPostgres()) missing.push("postgresql");
if (wants("mysql") && !hasMariadb()) missing.push("mariadb-server");
if (wanted.length === 0 && !hasPgCron()) missing.push(`postgresql-${newestPg()}-cron`);
if (missing.length === 0) process.exit(0);

const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  console.error(`Missing database servers: ${missing.join(", ")}.\nInstall them with: sudo apt-get install -y ${missing.join(" ")}`);
  process.exit(1);
}
console.log(`Installing ${missing.join(", ")} with apt-get ...`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
for (const args of [
  ["update", "-qq"],
  ["install", "-y", "-qq", "--no-install-recommends", ...missing],
]) {
  const r = spawnSync("apt-get", args, { stdio: "inherit", env });
  if (r.status !== 0) {
    console.error(`apt-get ${args.join(" ")} failed (exit ${r.status}).`);
    process.exit(1);
  }
}
if ((wants("postgres") && !hasPostgres()) || (wants("mysql") && !hasMariadb()) || (wanted.length === 0 && !hasPgCron())) {
  console.error("apt-get finished but the server binaries are still missing.");
  process.exit(1);
}
