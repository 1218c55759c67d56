import { describe, expect, it } from "vitest";
import { parseDatabaseUrl, SanitizeError } from "../sanitize/index";
import { assertNotForbidden, parseForbiddenEntry } from "../sanitize/safety";
import type { ConnectionTarget } from "../sanitize/core/types";
import { addressKey, canonicalHost } from "../sanitize/core/host";

function thrown(f: () => unknown): SanitizeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SanitizeError);
    return e as SanitizeError;
  }
  throw new Error("expected a SanitizeError");
}

describe("parseDatabaseUrl", () => {
  it("parses postgres, postgresql and mysql URLs with defaults", () => {
    expect(parseDatabaseUrl("postgres://app:p%40ss@db.internal/shop", {})).toEqual({
      engine: "postgres",
      host: "db.internal",
      port: 5432,
      user: "app",
      password: "p@ss",
      database: "shop",
      ssl: "require",
    });
    expect(parseDatabaseUrl("postgresql://app@127.0.0.1:6543/shop", {}).ssl).toBe("disable");
    const m = parseDatabaseUrl("mysql://root:pw@staging.cluster-x.rds.amazonaws.com:3307/app?ssl=verify-full", {});
    expect(m).toMatchObject({ engine: "mysql", port: 3307, database: "app", ssl: "verify-full" });
    expect(parseDatabaseUrl("postgres://a:b@h/d?sslmode=disable", {}).ssl).toBe("disable");
    expect(parseDatabaseUrl("postgres://a:b@h/d?sslmode=verify-ca", {}).ssl).toBe("verify-full");
  });

  it("takes the password from PGPASSWORD / MYSQL_PWD when the URL has none", () => {
    expect(parseDatabaseUrl("postgres://app@h/d", { PGPASSWORD: "from-env" }).password).toBe("from-env");
    expect(parseDatabaseUrl("mysql://app@h/d", { MYSQL_PWD: "my-env" }).password).toBe("my-env");
    expect(parseDatabaseUrl("mysql://app@h/d", {}).password).toBeUndefined();
  });

  it("never echoes the URL or password in errors", () => {
    for (const bad of [
      "redis://u:hunter2secret@h/d",
      "postgres://u:hunter2secret@h",
      "postgres://:hunter2secret@h/d",
      "not a url hunter2secret",
      "postgres://u:hunter2secret@h/d?sslmode=weird",
    ]) {
      const e = thrown(() => parseDatabaseUrl(bad, {}));
      expect(e.kind).toBe("connection");
      expect(e.message).not.toContain("hunter2secret");
      expect(e.message).toMatch(/not shown/);
    }
  });
});

describe("forbidden hosts", () => {
  const target: ConnectionTarget = { engine: "postgres", host: "localhost", port: 5432, user: "u", database: "shop" };

  it("parses host, host:port, host/db, host:port/db and [ipv6]:port", () => {
    expect(parseForbiddenEntry("Prod.DB.internal")).toMatchObject({ host: "prod.db.internal" });
    expect(parseForbiddenEntry("prod:5432/shop")).toMatchObject({ host: "prod", port: 5432, database: "shop" });
    expect(parseForbiddenEntry("prod/shop")).toMatchObject({ host: "prod", database: "shop" });
    expect(parseForbiddenEntry("[::1]:5432")).toMatchObject({ host: "::1", port: 5432 });
    expect(() => parseForbiddenEntry("prod:abc")).toThrow(/not a number/);
  });

  it("matches by name (case-insensitive) and by resolved address, honouring port and database", async () => {
    await expect(assertNotForbidden(target, ["LOCALHOST"])).rejects.toThrow(/LOCALHOST/);
    await expect(assertNotForbidden(target, ["127.0.0.1"])).rejects.toThrow(/by resolved address/);
    await expect(assertNotForbidden(target, ["localhost:5433"])).resolves.toBeUndefined();
    await expect(assertNotForbidden(target, ["localhost/other"])).resolves.toBeUndefined();
    await expect(assertNotForbidden(target, ["localhost:5432/shop"])).rejects.toThrow(SanitizeError);
    // unresolvable entries compare by name only
    await expect(assertNotForbidden(target, ["no-such-host.invalid"])).resolves.toBeUndefined();
  });
});

describe("canonicalHost", () => {
  it("brings every spelling of an address to one form", () => {
    const v4 = [
      "2130706433",
      "0x7f000001",
      "0177.0.0.1",
      "127.1",
      "0x7f.1",
      "127.0.0.1.",
      "::ffff:127.0.0.1",
      "[::ffff:127.0.0.1]",
      "::ffff:7f00:1",
      "0:0:0:0:0:ffff:7f00:0001",
      "[0:0:0:0:0:FFFF:7F00:0001]",
    ];
    for (const h of v4) expect(canonicalHost(h), h).toBe("127.0.0.1");
    expect(canonicalHost("[0:0:0:0:0:0:0:1]")).toBe("::1");
    expect(canonicalHost("2001:DB8:0:0:0:0:0:1")).toBe("2001:db8::1");
    expect(canonicalHost("Prod.Example.COM.")).toBe("prod.example.com");
    expect(canonicalHost("a@b")).toBe("a@b"); // never handed to the URL parser
    for (const h of ["127.0.0.2", "::1", "0.0.0.0", "[::]"]) expect(addressKey(h), h).toBe("loopback");
    expect(addressKey("10.0.0.1")).toBe("10.0.0.1");
  });

  it("any loopback spelling gets the loopback TLS default", () => {
    for (const h of ["127.1", "[::ffff:7f00:1]", "localhost.", "2130706433"])
      expect(parseDatabaseUrl(`postgres://a@${h}/d`, {}).ssl, h).toBe("disable");
    expect(parseDatabaseUrl("postgres://a@10.0.0.1/d", {}).ssl).toBe("require");
  });
});
