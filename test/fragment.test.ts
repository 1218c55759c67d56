import { describe, expect, it } from "vitest";
import { checkExpression, checkQuery } from "../sanitize/core/fragment";
import type { EngineName } from "../sanitize/core/types";
import { freshDatabase } from "./harness/db";

const engines: EngineName[] = ["postgres", "mysql"];

/** CPU time since `c0`: a busy machine slows wall time, not the work done. */
const cpuMs = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

describe.each(engines)("checkExpression on %s", (engine) => {
  const ok = (text: string) => expect(checkExpression(text, engine), text).toEqual([]);
  const bad = (text: string, re: RegExp) => {
    const problems = checkExpression(text, engine);
    expect(problems.length, text).toBeGreaterThan(0);
    expect(problems.join("\n"), text).toMatch(re);
  };

  it("accepts ordinary expressions, strings with quotes, parentheses and semicolons inside literals", () => {
    ok("id > 0");
    ok("email LIKE '%@example.com' AND (status = 'x' OR status IS NULL)");
    ok("note = 'it''s; fine) OR (true'");
    ok("note = '$1 and ? are just text here'");
    ok("id IN (SELECT user_id FROM orders WHERE total > 10)");
    ok("id > 0 /* a comment with ) and ; inside */");
    ok("id > 0 -- a line comment with ) ;\n");
  });

  it("refuses a fragment that closes the parentheses it is put in", () => {
    bad("false) OR (true", /closes a parenthesis it never opened/);
    bad("id > 0)", /never opened/);
    bad("(id > 0", /leaves 1 parenthesis open/);
  });

  it("refuses a second statement", () => {
    bad("1=1; DROP TABLE x", /";".*exactly one expression/);
  });

  it("refuses bind parameters", () => {
    if (engine === "postgres") {
      bad("get_bit(CAST($3 AS bytea), id-1) = 1", /bind parameter \$3/);
      bad("id = $1", /bind parameter \$1/);
    } else {
      bad("id = ?", /bind parameter \?/);
      bad("ASCII(SUBSTRING(?, 1, 1)) > id", /bind parameter \?/);
    }
  });

  it("refuses empty text, comment-only text and text ending in a line comment", () => {
    bad("   ", /empty/);
    bad("/* nothing */", /only comments/);
    bad("true -- ) AND id < 100", /line comment/);
  });

  it("refuses unterminated strings, identifiers and comments", () => {
    bad("note = 'open", /string that is never closed/);
    bad("id > 0 /* open", /never closed/);
    bad(engine === "postgres" ? '"Email = 1' : "`Email = 1", /quoted identifier that is never closed/);
  });

  it("never echoes more than ~60 characters of the fragment", () => {
    const long = `${"x".repeat(500)}) OR (${"y".repeat(500)}`;
    const [p] = checkExpression(long, engine);
    expect(p.length).toBeLessThan(200);
  });

  it("checks 2 MB of text in linear time (bound only guards against quadratic blow-up)", () => {
    const big = "(".repeat(200_000) + "'a''b' /* c */ " + ")".repeat(200_000) + " AND x = 'y'".repeat(150_000);
    const c0 = process.cpuUsage();
    expect(checkExpression(big, engine)).toEqual([]);
    const used = cpuMs(c0);
    expect(big.length).toBeGreaterThan(2_000_000);
    expect(used).toBeLessThan(2000);
    console.log(`checkExpression: ${big.length} characters, two readings: ${Math.round(used)} ms CPU`);
  });
});

describe("checkExpression: PostgreSQL lexing", () => {
  const pg = (t: string) => checkExpression(t, "postgres");
  it("dollar quotes, E-strings, nested comments, quoted identifiers", () => {
    expect(pg("note = $$ ) ; $1 $$")).toEqual([]);
    expect(pg("note = $tag$ ) $$ ; $tag$")).toEqual([]);
    expect(pg("note = E'it\\'s ) ;'")).toEqual([]);
    expect(pg("id > 0 /* outer /* inner */ still ) comment */")).toEqual([]);
    expect(pg('"we)ird;$1" > 0')).toEqual([]);
    expect(pg("a$1 > 0")).toEqual([]); // `$` inside an identifier is not a parameter
  });
  it("keeps jsonb ? operators", () => {
    expect(pg("profile ? 'email' AND profile ?| array['a'] AND profile ?& array['b']")).toEqual([]);
  });
  it("a nested comment that a non-nesting lexer would end early can't hide a )", () => {
    expect(pg("id > 0 /* /* */ ) OR (true */")).toEqual([]);
    expect(pg("id > 0 /* /* */ */ ) OR (true").join()).toMatch(/never opened/);
  });
  it("a backslash before a quote is refused if it could end the string on a server without standard strings", () => {
    expect(pg("note = 'a\\' ) OR (true --'").join()).toMatch(/never|line comment/);
  });
  it("unterminated dollar quote", () => {
    expect(pg("note = $x$ abc").join()).toMatch(/dollar-quoted string \(\$x\$\) that is never closed/);
  });
});

describe("checkExpression: MySQL lexing", () => {
  const my = (t: string) => checkExpression(t, "mysql");
  it("double-quoted strings, backticks, # comments, -- needs a space", () => {
    expect(my('note = "a ) ; ?"')).toEqual([]);
    expect(my("`we)ird?` > 0")).toEqual([]);
    expect(my("id > 0 # comment ) ;\n")).toEqual([]);
    expect(my("id--1 > 0")).toEqual([]); // minus minus, not a comment
    expect(my("id > 0 #)")).not.toEqual([]);
  });
  it("refuses executable comments, which MySQL runs", () => {
    expect(my("id > 0 /*! ) OR (true */").join()).toMatch(/executable comment/);
    expect(my("id > 0 /*M!100000 ) OR (true */").join()).toMatch(/executable comment/);
  });
  it("a MySQL comment does not nest: the first */ ends it", () => {
    expect(my("id > 0 /* /* */ ) OR (true */").join()).toMatch(/never opened/);
  });
  it("a string is checked under both backslash readings (NO_BACKSLASH_ESCAPES)", () => {
    // Ends at the second quote when backslashes are not escapes: `) OR (true` would be SQL.
    expect(my("note = 'a\\') OR (true OR note = ''").length).toBeGreaterThan(0);
    expect(my("note = 'it''s'")).toEqual([]);
  });
});

describe.each(engines)("checkQuery on %s", (engine) => {
  const ok = (text: string) => expect(checkQuery(text, engine), text).toEqual([]);
  const bad = (text: string, re: RegExp) => {
    const problems = checkQuery(text, engine);
    expect(problems.length, text).toBeGreaterThan(0);
    expect(problems.join("\n"), text).toMatch(re);
  };
  it("accepts one SELECT or WITH query", () => {
    ok("SELECT COUNT(*) FROM users WHERE email NOT LIKE '%@example.com'");
    ok("  with x AS (SELECT 1 AS a) SELECT a FROM x");
    ok("(SELECT 1)");
    ok("SELECT id FROM users FOR UPDATE");
    ok("SELECT REPLACE(email, 'a', 'b') FROM users");
    ok("SELECT 'DROP TABLE x; INTO OUTFILE'");
  });
  it("refuses statements that write", () => {
    bad("DROP TABLE support_tickets", /starts with "DROP".*SELECT/);
    bad("TRUNCATE support_tickets", /starts with "TRUNCATE"/);
    bad("DELETE FROM support_tickets", /starts with "DELETE"/);
    bad("/* SELECT */ DROP TABLE x", /starts with "DROP"/);
    bad("SELECT 0; DROP TABLE support_tickets", /";"/);
    bad("WITH d AS (DELETE FROM t RETURNING 1) SELECT 1", /DELETE/);
    bad("WITH x AS (SELECT 1) DELETE FROM t", /DELETE/);
    bad("SELECT * INTO OUTFILE '/tmp/x' FROM users", /INTO/);
    bad("SELECT email INTO @e FROM users LIMIT 1", /INTO/);
    bad("SELECT * FROM users WHERE id = " + (engine === "postgres" ? "$1" : "?"), /bind parameter/);
    bad("", /empty/);
  });
  it("VALUES/TABLE only on PostgreSQL", () => {
    if (engine === "postgres") ok("VALUES (1)");
    else bad("VALUES (1)", /starts with/);
  });
});

describe.each(engines)("the checker agrees with the real %s server", (engine) => {
  it("what it accepts runs; a verify query that would write or drop is refused before it reaches the server", async () => {
    const db = await freshDatabase(engine, "frag");
    await db.exec("CREATE TABLE x (id int PRIMARY KEY, note varchar(100))");
    await db.exec("INSERT INTO x VALUES (1, 'it''s; fine) OR (true'), (2, NULL)");
    const q = engine === "postgres" ? (n: string) => `"${n}"` : (n: string) => `\`${n}\``;
    const accepted = [
      "id > 0",
      "note = 'it''s; fine) OR (true'",
      "note = '$1 and ? are just text here'",
      `id IN (SELECT id FROM ${q("x")} WHERE id < 10) /* ) ; */`,
      "id > 0 -- trailing comment with ) ;\n",
      engine === "postgres" ? "note = $$ ) ; $1 $$" : 'note = "a ) ; ?"',
    ];
    for (const e of accepted) {
      expect(checkExpression(e, engine), e).toEqual([]);
      // The same text inside the parentheses the sanitizer puts it in: one expression, runs.
      await db.exec(`SELECT COUNT(*) FROM x WHERE (${e})`);
    }
    // On MySQL, DDL commits by itself: these must never reach the server as verify queries.
    for (const hostile of ["DROP TABLE x", "TRUNCATE x", "TRUNCATE TABLE x", "SELECT 0; DROP TABLE x", "/* SELECT */ DROP TABLE x"]) {
      expect(checkQuery(hostile, engine).length, hostile).toBeGreaterThan(0);
    }
    expect(checkQuery("SELECT COUNT(*) FROM x WHERE note LIKE '%;%'", engine)).toEqual([]);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM x WHERE note LIKE '%;%'"))).toBe(1);
  });
});
