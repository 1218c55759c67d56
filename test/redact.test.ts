import { describe, expect, it } from "vitest";
import { Redactor, redactUrl } from "../sanitize/cli/redact";
import * as core from "../sanitize/core/redact";
import { redactDbMessage, redactDbText } from "../sanitize/core/redact-db";
import { describeError } from "../sanitize/dialect/connect-retry";
import * as library from "../sanitize/index";

/** CPU time since `c0`: a busy machine slows wall time, not the work done. */
const cpuMs = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

describe("URL passwords", () => {
  it("userinfo ends at the LAST @: a password with an unencoded @ is fully hidden", () => {
    expect(redactUrl("connect postgres://app:Sup3r@Secret99@db.internal:5432/app failed")).toBe(
      "connect postgres://app:***@db.internal:5432/app failed",
    );
    expect(redactUrl("mysql://root:a@b@c@h/db")).toBe("mysql://root:***@h/db");
    expect(redactUrl('{"url":"postgres://u:p@ss@h/db","x":"y"}')).toBe('{"url":"postgres://u:***@h/db","x":"y"}');
    // no password: user only, with a port
    expect(redactUrl("mysql://root@h:3306/db")).toBe("mysql://root@h:3306/db");
    expect(redactUrl("see https://example.com:8080/docs")).toBe("see https://example.com:8080/docs");
  });

  it("a registered secret with @ is scrubbed whole before URL patterns run", () => {
    const r = new Redactor();
    r.add("Sup3r@Secret99");
    const text = "target postgres://app:Sup3r@Secret99@127.0.0.1:5432/app; retrying app:Sup3r@Secret99";
    const out = r.scrub(text);
    expect(out).not.toContain("Secret99");
    expect(out).not.toContain("Sup3r");
    expect(out).toContain("postgres://app:***@127.0.0.1:5432/app");
  });

  it("is linear: 2 MB of adversarial text (bound only guards against quadratic blow-up)", () => {
    const r = new Redactor();
    r.add("some-secret-value");
    const inputs = [
      "a".repeat(2_000_000),
      "x://a:".repeat(300_000),
      "postgres://u:" + "p".repeat(2_000_000),
      "@".repeat(1_000_000) + "://" + ":@".repeat(500_000),
    ];
    for (const input of inputs) {
      const c0 = process.cpuUsage();
      r.scrub(input);
      expect(cpuMs(c0)).toBeLessThan(2000);
    }
  });
});

describe("one redactor for the CLI, the library and the Pulumi provider", () => {
  it("the CLI's module and the library's export are the core one", () => {
    expect(Redactor).toBe(core.Redactor);
    expect(redactUrl).toBe(core.redactUrl);
    expect(library.Redactor).toBe(core.Redactor);
    expect(library.redactUrl).toBe(core.redactUrl);
  });

  it("takes a placeholder and a minimum length; registers only strings", () => {
    const r = new Redactor({ placeholder: "<secret>", minLength: 1 });
    for (const s of ["pw", undefined, 42, { x: 1 }]) r.add(s);
    expect(r.scrub("user pw, pw%40x")).toBe("user <secret>, <secret>%40x");
    const cli = new Redactor();
    cli.add("pw");
    expect(cli.scrub("user pw")).toBe("user pw"); // the CLI's default skips very short strings
  });

  it("connect-retry's error text hides the password raw, URL-encoded and inside a URL", () => {
    const password = "p@ss word/1";
    const message = `login failed for p@ss word/1 (p%40ss%20word%2F1) at postgres://app:${password}@h/db`;
    const err = Object.assign(new Error(message), { code: "28P01" });
    const text = describeError(err, password);
    expect(text).not.toContain("ss word");
    expect(text).not.toContain("p%40ss");
    expect(text).toMatch(/^28P01: login failed for <secret> \(<secret>\)/);
  });
});

describe("values in database errors", () => {
  const cases: [string, string][] = [
    ['invalid input syntax for type integer: "alice.private@corp.test"', 'invalid input syntax for type integer: "<redacted>"'],
    ["Duplicate entry 'alice@corp.test' for key 'users.email'", "Duplicate entry '<redacted>' for key 'users.email'"],
    ["Duplicate entry 'O'Brien' for key 'uq_name'", "Duplicate entry '<redacted>' for key 'uq_name'"],
    ["Truncated incorrect INTEGER value: 'alice@corp.test'", "Truncated incorrect INTEGER value: '<redacted>'"],
    [
      "Incorrect integer value: 'bob' for column `db`.`t`.`n` at row 1",
      "Incorrect integer value: '<redacted>' for column `db`.`t`.`n` at row 1",
    ],
    ["Incorrect string value: '\\xE2\\x82' for column 'name' at row 1", "Incorrect string value: '<redacted>' for column 'name' at row 1"],
    [
      'duplicate key value violates unique constraint "users_email_key"',
      'duplicate key value violates unique constraint "users_email_key"',
    ],
    ["Key (email)=(alice@corp.test) already exists.", "Key (email)=(<redacted>) already exists."],
    ['Key (a, b)=(x (1), y) is not present in table "t".', 'Key (a, b)=(<redacted>) is not present in table "t".'],
    ['column "Email" of relation "users" does not exist', 'column "Email" of relation "users" does not exist'],
    ['invalid input value for enum mood: "sad"', 'invalid input value for enum mood: "<redacted>"'],
    ['value "99999999999" is out of range for type integer', 'value "<redacted>" is out of range for type integer'],
    ["Table 'db.users' doesn't exist", "Table 'db.users' doesn't exist"],
    ['syntax error at or near "FROMM"', 'syntax error at or near "FROMM"'],
    ["Failing row contains (1, alice@corp.test, null).", "Failing row contains (<redacted>)."],
    ["unterminated 'alice@corp.test", "unterminated '<redacted>"],
  ];
  it.each(cases)("%s", (input, expected) => {
    expect(redactDbText(input)).toBe(expected);
  });

  it("appends the error code once", () => {
    expect(redactDbMessage({ code: "22P02", message: 'invalid input syntax for type integer: "x@y"' })).toBe(
      'invalid input syntax for type integer: "<redacted>" [22P02]',
    );
  });

  it("is linear: 2 MB of adversarial text (bound only guards against quadratic blow-up)", () => {
    const inputs = [
      "'a' ".repeat(500_000),
      "\"a' ".repeat(500_000),
      "key 'a' 'b' ".repeat(200_000),
      ")=(".repeat(700_000),
      "(".repeat(2_000_000),
      "row contains (".repeat(150_000),
      "row contains (\n".repeat(150_000),
      "Key (a)=(\n".repeat(150_000),
      "a".repeat(2_000_000),
    ];
    for (const input of inputs) {
      const c0 = process.cpuUsage();
      redactDbText(input);
      expect(cpuMs(c0), input.slice(0, 20)).toBeLessThan(2000);
    }
  });
});
