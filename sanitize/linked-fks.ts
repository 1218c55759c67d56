/**
 * Foreign keys between two masked columns (orders.customer_email -> users.email) with the
 * same deterministic transform: both sides end up as the same HMAC, so the key holds after
 * masking, but not in between (each side is masked by its own chunks), and ON UPDATE CASCADE
 * would mask the child's value a second time (HMAC of HMAC). So they are suspended while
 * masking and restored after:
 * - PostgreSQL drops the constraint and re-adds it from its recorded definition, each step in
 *   one transaction together with its progress record row, so a run killed at any point is
 *   finished by the next one (re-adding validates every row);
 * - MySQL turns foreign_key_checks off on the masking connections (InnoDB then neither checks
 *   nor cascades).
 * Either way the check "foreign key <name> holds" runs after masking.
 */
import { ident, join, sql } from "./core/sql";
import type { Connection, ForeignKeyInfo, SchemaInfo } from "./core/types";
import type { Dialect } from "./dialect/types";
import type { Plan } from "./plan";
import { canonicalJson } from "./rules/hash";

/** Until the planner provides `Plan.linkedForeignKeys`: FKs whose columns are all masked on both sides with equal specs. */
export function linkedForeignKeys(plan: Plan, schema: SchemaInfo): ForeignKeyInfo[] {
  const given = (plan as { linkedForeignKeys?: ForeignKeyInfo[] }).linkedForeignKeys;
  if (given) return given;
  const specOf = (table: string, column: string): string | undefined => {
    const c = plan.tables.find((p) => p.table.qualified === table)?.mask?.columns.find((x) => x.name === column);
    return c && canonicalJson(c.spec);
  };
  return schema.foreignKeys.filter((fk) =>
    fk.fromColumns.every((f, i) => {
      const a = specOf(fk.fromTable, f);
      return a !== undefined && a === specOf(fk.toTable, fk.toColumns[i]);
    }),
  );
}

interface Suspended {
  fk: ForeignKeyInfo;
  definition: string;
}

export class ForeignKeySuspension {
  constructor(
    private readonly dialect: Dialect,
    private readonly schema: SchemaInfo,
  ) {}

  private get st() {
    return this.dialect.statements;
  }

  private get record() {
    return this.st.suspendedForeignKeysTable!;
  }

  /** For the rolled-back trial: the same suspension, inside its transaction. Returns what undoes it after the rollback. */
  async inTrial(tx: Connection, fks: ForeignKeyInfo[]): Promise<() => Promise<void>> {
    if (!fks.length) return async () => undefined;
    if (this.st.foreignKeySuspension === "drop-and-add") {
      for (const fk of fks) await tx.query(sql`ALTER TABLE ${this.ref(fk.fromTable)} DROP CONSTRAINT ${ident(fk.name)}`);
      return async () => undefined; // the rollback restores them
    }
    for (const q of this.st.foreignKeyChecks(false)) await tx.query(q);
    // A session setting: the rollback doesn't undo it.
    return async () => {
      for (const q of this.st.foreignKeyChecks(true)) await tx.query(q);
    };
  }

  /** For each masking connection (MySQL: checks off). */
  async onConnection(conn: Connection, fks: ForeignKeyInfo[]): Promise<void> {
    if (fks.length && this.st.foreignKeySuspension === "session-checks-off")
      for (const q of this.st.foreignKeyChecks(false)) await conn.query(q);
  }

  private ref(qualified: string) {
    const t = this.schema.tables.get(qualified);
    if (!t) throw new Error(`table ${qualified} of a suspended foreign key is gone; re-create the constraint by hand`);
    return this.st.table(t);
  }

  /** Constraints a killed run dropped and didn't re-add yet. */
  async pending(conn: Connection): Promise<Suspended[]> {
    if (this.st.foreignKeySuspension !== "drop-and-add") return [];
    const r = await conn.query(sql`SELECT fk, definition FROM ${this.record}`);
    return r.rows.map((row) => ({ fk: JSON.parse(String(row.fk)) as ForeignKeyInfo, definition: String(row.definition) }));
  }

  /** PostgreSQL: record + DROP in one transaction per constraint. MySQL: nothing (session setting). */
  async suspend(conn: Connection, fks: ForeignKeyInfo[]): Promise<void> {
    if (this.st.foreignKeySuspension !== "drop-and-add") return;
    for (const fk of fks) {
      const t = this.schema.tables.get(fk.fromTable)!;
      await conn.transaction(async (tx) => {
        const def = (await tx.query(this.st.constraintDefinition(t.schema, t.name, fk.name))).rows[0]?.def;
        if (def == null) throw new Error(`foreign key ${fk.name} on ${fk.fromTable} vanished while planning`);
        await tx.query(sql`INSERT INTO ${this.record} (fk, definition) VALUES (${JSON.stringify(fk)}, ${String(def)})`);
        await tx.query(sql`ALTER TABLE ${this.ref(fk.fromTable)} DROP CONSTRAINT ${ident(fk.name)}`);
      });
    }
  }

  /** Re-adds every recorded constraint (validating all rows) and removes its record, one transaction each. */
  async restore(conn: Connection): Promise<ForeignKeyInfo[]> {
    const out: ForeignKeyInfo[] = [];
    for (const s of await this.pending(conn)) {
      await conn.transaction(async (tx) => {
        await tx.query(sql`ALTER TABLE ${this.ref(s.fk.fromTable)} ADD CONSTRAINT ${ident(s.fk.name)} ${rawDefinition(s.definition)}`);
        await tx.query(sql`DELETE FROM ${this.record} WHERE fk = ${JSON.stringify(s.fk)}`);
      });
      out.push(s.fk);
    }
    return out;
  }
}

/** pg_get_constraintdef's own output (`FOREIGN KEY (...) REFERENCES ...`), read from the catalog, never user input. */
function rawDefinition(def: string) {
  if (!/^FOREIGN KEY \(/.test(def)) throw new Error("a recorded foreign key definition is not a FOREIGN KEY clause; refusing to run it");
  return sql``.append(def);
}

/** Orphan rows of a foreign key: child rows whose (non-NULL) key has no parent. */
export function orphanQuery(dialect: Dialect, schema: SchemaInfo, fk: ForeignKeyInfo) {
  const from = schema.tables.get(fk.fromTable)!;
  const to = schema.tables.get(fk.toTable)!;
  const c = (col: string) => ident("c", col);
  const p = (col: string) => ident("p", col);
  return sql`SELECT COUNT(*) AS n FROM ${dialect.statements.table(from)} c
              WHERE ${join(
                fk.fromColumns.map((f) => sql`${c(f)} IS NOT NULL`),
                " AND ",
              )}
                AND NOT EXISTS (SELECT 1 FROM ${dialect.statements.table(to)} p
                                 WHERE ${join(
                                   fk.fromColumns.map((f, i) => sql`${p(fk.toColumns[i])} = ${c(f)}`),
                                   " AND ",
                                 )})`;
}
