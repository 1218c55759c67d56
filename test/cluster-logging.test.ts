/**
 * §4 of the whole-clone issue, the sanitizer's half: with the server logging every statement
 * (PostgreSQL log_statement = all and log_min_duration_statement = 0; MariaDB general log and
 * slow log with long_query_time = 0), a run as a superuser turns logging off for each of its
 * sessions, so the server logs hold neither the masking key, nor its HMAC pads (hex or raw),
 * nor any original value of the sampled table. A login that may not turn it off is refused
 * before anything is written, with the setting named.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveMaskingKey } from "../sanitize/core/masking-key";
import { getDialect } from "../sanitize/dialect";
import { SanitizeError, sanitizeCluster } from "../sanitize/index";
import { loadSample, openExec } from "../sanitize/local/sample";
import type { LocalServer } from "../sanitize/local/servers";
import { defaultRulesYaml, KEY, run, startServer } from "./harness/cluster";
import { engines } from "./harness/db";

const CANARY = "canary-param-7f3a9c";

describe.each(engines)("server logs on %s", (engine) => {
  let server: LocalServer;
  let dir: string;
  let logs: string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "aurora-staging-logs-"));
    const own = join(dir, "server.log");
    logs = engine === "postgres" ? [own] : [own, join(dir, "general.log"), join(dir, "slow.log")];
    server = await startServer(engine, {
      logFile: own,
      settings:
        engine === "postgres"
          ? // auto_explain logs plans, whose custom-plan constants are parameter values.
            {
              log_statement: "all",
              log_min_duration_statement: "0",
              shared_preload_libraries: "auto_explain",
              "auto_explain.log_min_duration": "0",
            }
          : {
              general_log: "1",
              "general-log-file": logs[1],
              slow_query_log: "1",
              "slow-query-log-file": logs[2],
              "long-query-time": "0",
              "log-output": "FILE",
            },
    });
    await server.createDatabase("app");
    await loadSample(server.target("app"), { rows: 40 });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const logText = () => Buffer.concat(logs.map((f) => readFileSync(f)));

  it("a superuser run turns statement logging off for its sessions: no key, pads or original values in the logs", async () => {
    // Positive control: the server does log statements with their parameter values.
    const exec = await openExec(server.target("app"));
    await exec(engine === "postgres" ? "SELECT $1::text AS v" : "SELECT ? AS v", [CANARY]);
    await exec.close();
    const originals = await run(server, "app", "SELECT email, phone, password_hash FROM users");
    const ticketEmails = await run(server, "app", "SELECT email FROM support_tickets");

    const report = await sanitizeCluster({ target: server.target("app"), rules: defaultRulesYaml, maskingKey: KEY });
    expect(report.verified).toBe(true);

    const log = logText();
    expect(log.includes(CANARY)).toBe(true);
    const text = log.toString("latin1");
    expect(text).not.toContain(KEY);
    const { ipad, opad } = deriveMaskingKey(KEY);
    for (const pad of [ipad, opad]) {
      expect(text.toLowerCase()).not.toContain(pad.toString("hex"));
      expect(log.includes(pad)).toBe(false);
      // a 16-byte window, in case a log line shows only part of a pad
      expect(text.toLowerCase()).not.toContain(pad.subarray(20, 36).toString("hex"));
    }
    // Names are left out: the name transform's own word lists hold common first/last names.
    const values = [...originals.flatMap((r) => [r.email, r.phone, r.password_hash]), ...ticketEmails.map((r) => r.email)].filter(
      (v): v is string => typeof v === "string",
    );
    expect(values.length).toBeGreaterThan(80);
    const leaked = values.filter((v) => text.includes(v));
    expect(leaked).toEqual([]);
  });

  it("a login that may not turn logging off is refused before anything is written, naming the setting", async () => {
    if (engine === "postgres") {
      await run(
        server,
        "postgres",
        "CREATE ROLE limited LOGIN PASSWORD 'limited-password'",
        "ALTER ROLE limited SET log_statement = 'all'",
        "ALTER ROLE limited SET log_min_duration_statement = 0",
        "ALTER DATABASE app OWNER TO limited",
      );
    } else {
      await run(server, "app", "CREATE USER 'limited'@'%' IDENTIFIED BY 'limited-password'", "GRANT ALL ON app.* TO 'limited'@'%'");
    }
    const before = await run(server, "app", "SELECT id, email FROM users ORDER BY id");
    const err = (await sanitizeCluster({
      target: { ...server.target("app"), user: "limited", password: "limited-password" },
      rules: `${defaultRulesYaml}\n`,
      maskingKey: KEY,
    }).catch((e: unknown) => e)) as SanitizeError;
    expect(err).toBeInstanceOf(SanitizeError);
    expect(err.kind).toBe("logging");
    if (engine === "postgres") {
      expect(err.problems.map((p) => p.split(" (")[1]?.split(" ")[0])).toEqual([
        "log_statement",
        "log_min_duration_statement",
        "auto_explain.log_min_duration",
      ]);
      expect(err.problems[0]).toMatch(/log_statement = all for this session.*ALTER ROLE "limited" RESET log_statement/);
    } else {
      expect(err.problems).toEqual([expect.stringMatching(/\(general_log\) and user "limited" may not turn that off/)]);
    }
    expect(await run(server, "app", "SELECT id, email FROM users ORDER BY id")).toEqual(before);
    if (engine === "postgres") {
      // Statement logs without parameter values are harmless (every value is a parameter):
      // with log_parameter_max_length = 0 for this login only auto_explain's plans still leak.
      await run(server, "postgres", "ALTER ROLE limited SET log_parameter_max_length = 0");
      const limited = { ...server.target("app"), user: "limited", password: "limited-password" };
      const still = (await getDialect("postgres")
        .connect(limited)
        .catch((e: unknown) => e)) as SanitizeError;
      expect(still.problems).toEqual([expect.stringMatching(/\(auto_explain\.log_min_duration = 0 for this session\)/)]);
      await run(server, "postgres", "ALTER ROLE limited SET auto_explain.log_min_duration = -1");
      const conn = await getDialect("postgres").connect(limited);
      await conn.close();
    }
  });
});
