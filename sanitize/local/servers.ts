/**
 * Throwaway database servers on loopback, in temp dirs: used by `aurora-staging demo`, the
 * test harness and the benchmarks. Each server gets a free port, its own data directory and
 * socket directory, and is removed on `stop()`.
 *
 * PostgreSQL: Debian's binaries (/usr/lib/postgresql/<v>/bin). `initdb` refuses to run as
 * root, so as root everything runs as the `postgres` OS user.
 * MariaDB: Debian's `mariadbd` and `mariadb-install-db`; as root it runs with `--user=root`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionTarget } from "../core/types";

export interface LocalServer {
  engine: "postgres" | "mysql";
  host: string;
  port: number;
  user: string;
  password: string;
  /** A database that exists on the server (`postgres` / `mysql`). */
  adminDatabase: string;
  /** URL of `database` on this server (default: the admin database). */
  url(database?: string): string;
  /** The sanitizer's connection target for `database` on this server (loopback: no TLS). */
  target(database: string): ConnectionTarget;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Extra server settings, e.g. `{ shared_buffers: "512MB" }` or `{ "innodb-buffer-pool-size": "1G" }`. */
  settings?: Record<string, string>;
  /** Durability off (fsync) for tests; benchmarks keep it on. Default true. */
  fast?: boolean;
  /**
   * Append the server's own output (PostgreSQL: its log, including statements logged by
   * log_statement; MariaDB: its error log) to this file, e.g. to check what a run leaves in it.
   */
  logFile?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

function run(cmd: string, args: string[], opts: { asUser?: string; cwd?: string } = {}): string {
  const [c, a] = opts.asUser && isRoot ? ["runuser", ["-u", opts.asUser, "--", cmd, ...args]] : [cmd, args];
  const r = spawnSync(c, a, { encoding: "utf8", cwd: opts.cwd });
  if (r.status !== 0) {
    throw new Error(`${cmd} failed (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error ?? "")).trim()}`);
  }
  return r.stdout;
}

export function postgresBinDir(): string {
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(base, versions[0], "bin");
  }
  const r = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  if (r.status === 0 && existsSync(join(r.stdout.trim(), "initdb"))) return r.stdout.trim();
  throw new Error(
    "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and pg_config --bindir). " +
      "Install them with: apt-get install -y postgresql",
  );
}

/** Waits for a child's output to contain `marker`, or fails when it exits first. */
function waitForOutput(child: ChildProcess, logFile: string | undefined, marker: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (marker.test(seen)) done();
    };
    const onExit = (code: number | null) => {
      const log = logFile && existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
      cleanup();
      reject(new Error(`${what} exited (code ${code}) before it was ready:\n${(seen + log).slice(-2000)}`));
    };
    const cleanup = () => {
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
    };
    const done = () => {
      cleanup();
      resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", onExit);
  });
}

/** After start-up: the server's output goes to `logFile`, or is drained so the pipe never fills. */
function keepOutput(child: ChildProcess, logFile: string | undefined): void {
  if (!logFile) {
    child.stdout?.resume();
    child.stderr?.resume();
    return;
  }
  const out = createWriteStream(logFile, { flags: "a" });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  child.once("exit", () => out.end());
}

function stopChild(child: ChildProcess, dir: string): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) return finish();
    child.once("exit", finish);
    child.kill("SIGTERM");
    // A server that ignores SIGTERM for long gets SIGKILL; this bounds shutdown, it is not a sync.
    setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
  });
}

export async function startPostgres(opts: ServerOptions = {}): Promise<LocalServer> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), "aurora-staging-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const port = await freePort();
  const password = "local-only";
  const pwFile = join(dir, "pw");
  writeFileSync(pwFile, password);
  chmodSync(pwFile, 0o644);
  if (isRoot) run("chown", ["-R", "postgres:postgres", dir]);
  run(
    join(bin, "initdb"),
    ["-D", data, "-U", "postgres", "--pwfile", pwFile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
    {
      asUser: "postgres",
    },
  );
  const fast = opts.fast ?? true;
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    port: String(port),
    unix_socket_directories: dir,
    max_connections: "50",
    ...(fast ? { fsync: "off", synchronous_commit: "off", full_page_writes: "off" } : {}),
    ...opts.settings,
  };
  const args = ["-D", data, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
  const [cmd, cargs] = isRoot ? ["runuser", ["-u", "postgres", "--", join(bin, "postgres"), ...args]] : [join(bin, "postgres"), args];
  const child = spawn(cmd, cargs, { stdio: ["ignore", "pipe", "pipe"] });
  await waitForOutput(child, undefined, /database system is ready to accept connections/, "postgres");
  keepOutput(child, opts.logFile);

  const server: LocalServer = {
    engine: "postgres",
    host: "127.0.0.1",
    port,
    user: "postgres",
    password,
    adminDatabase: "postgres",
    url: (db = "postgres") => `postgres://postgres:${password}@127.0.0.1:${port}/${db}`,
    target: (database) => ({ engine: "postgres", host: "127.0.0.1", port, user: "postgres", password, database, ssl: "disable" }),
    async createDatabase(name) {
      const { Client } = require("pg") as typeof import("pg");
      const c = new Client({ connectionString: server.url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await c.end();
      }
      return server.url(name);
    },
    stop: () => stopChild(child, dir),
  };
  return server;
}

export function mariadbAvailable(): boolean {
  return ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"].some(existsSync) || spawnSync("which", ["mariadbd"]).status === 0;
}

export async function startMariadb(opts: ServerOptions = {}): Promise<LocalServer> {
  const daemon = ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"].find(existsSync) ?? "mariadbd";
  const dir = mkdtempSync(join(tmpdir(), "aurora-staging-mysql-"));
  const data = join(dir, "data");
  const port = await freePort();
  const password = "local-only";
  const user = "aurora";
  run("mariadb-install-db", [
    "--no-defaults",
    `--datadir=${data}`,
    "--auth-root-authentication-method=socket",
    "--skip-test-db",
    ...(isRoot ? ["--user=root"] : []),
  ]);
  // Created at every start by the server itself: a TCP user for tests (root stays socket-only).
  const init = join(dir, "init.sql");
  writeFileSync(
    init,
    `CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '${password}';\n` +
      `GRANT ALL PRIVILEGES ON *.* TO '${user}'@'%' WITH GRANT OPTION;\n`,
  );
  const fast = opts.fast ?? true;
  const settings: Record<string, string> = {
    datadir: data,
    port: String(port),
    "bind-address": "127.0.0.1",
    socket: join(dir, "mysqld.sock"),
    "pid-file": join(dir, "mysqld.pid"),
    // Its own temp dir: servers in other PID namespaces sharing /tmp name their on-disk temporary
    // tables alike (#sql-temptable-<pid>-<thread>-<n>) and delete each other's.
    tmpdir: dir,
    "init-file": init,
    "skip-name-resolve": "",
    "skip-log-bin": "",
    "innodb-buffer-pool-size": "256M",
    "character-set-server": "utf8mb4",
    "collation-server": "utf8mb4_unicode_ci",
    ...(fast ? { "innodb-flush-log-at-trx-commit": "2", "innodb-doublewrite": "0" } : {}),
    ...opts.settings,
  };
  const args = [
    "--no-defaults",
    ...Object.entries(settings).map(([k, v]) => (v === "" ? `--${k}` : `--${k}=${v}`)),
    ...(isRoot ? ["--user=root"] : []),
  ];
  const child = spawn(daemon, args, { stdio: ["ignore", "pipe", "pipe"] });
  await waitForOutput(child, undefined, /ready for connections/, "mariadbd");
  keepOutput(child, opts.logFile);

  const server: LocalServer = {
    engine: "mysql",
    host: "127.0.0.1",
    port,
    user,
    password,
    adminDatabase: "mysql",
    url: (db = "mysql") => `mysql://${user}:${password}@127.0.0.1:${port}/${db}`,
    target: (database) => ({ engine: "mysql", host: "127.0.0.1", port, user, password, database, ssl: "disable" }),
    async createDatabase(name) {
      const mysql = require("mysql2/promise") as typeof import("mysql2/promise");
      const c = await mysql.createConnection({ host: "127.0.0.1", port, user, password });
      try {
        await c.query(`CREATE DATABASE \`${name.replace(/`/g, "``")}\``);
      } finally {
        await c.end();
      }
      return server.url(name);
    },
    stop: () => stopChild(child, dir),
  };
  return server;
}
