/**
 * Foreign keys that touch masked columns. A value masked on one side of a foreign key must be
 * masked the same way on the other, or the first masking UPDATE breaks the reference (the
 * database refuses it mid-run, after truncates may have committed) or, with ON UPDATE CASCADE,
 * the child is rewritten by the parent's update and then masked again. Checked here, before
 * anything is written; the executor suspends the linked keys while masking and restores them.
 */
import { getTransform } from "./transforms";
import type { ForeignKeyInfo, SchemaInfo, TableRule, TransformSpec } from "./core/types";

export interface RuleOfTable {
  /** The rules key as written. */
  key: string;
  rule: TableRule;
}

/** `{ transform: email, domain: "x.test" }`: how a spec is written in rules. */
export function specText(spec: TransformSpec): string {
  const show = (v: unknown) =>
    typeof v === "string" && /^[A-Za-z0-9_-]+$/.test(v)
      ? v
      : JSON.stringify(typeof v === "string" && v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return `{ ${Object.entries(spec)
    .map(([k, v]) => `${k}: ${show(v)}`)
    .join(", ")} }`;
}

function sameSpec(a: TransformSpec, b: TransformSpec): boolean {
  const canon = (s: TransformSpec) => JSON.stringify(Object.entries(s).sort(([x], [y]) => x.localeCompare(y)));
  return canon(a) === canon(b);
}

/**
 * The foreign keys masked on both sides with the same transform (to suspend while masking),
 * and the problems: different transforms, a masked side whose other side is left as is, or a
 * transform that reads other columns (its output differs between the two tables).
 */
export function linkForeignKeys(schema: SchemaInfo, rules: Map<string, RuleOfTable>): { linked: ForeignKeyInfo[]; problems: string[] } {
  const linked: ForeignKeyInfo[] = [];
  const problems: string[] = [];
  const maskOf = (table: string, column: string): TransformSpec | undefined => {
    const r = rules.get(table)?.rule;
    return r?.kind === "mask" ? r.columns[column] : undefined;
  };
  const tableName = (table: string) => schema.tables.get(table)?.name ?? table;
  const short = (table: string, column: string) => `${tableName(table)}.${column}`;
  const where = (table: string, column: string) => `tables.${rules.get(table)?.key ?? table}.columns.${column}`;

  for (const fk of schema.foreignKeys) {
    const childRule = rules.get(fk.fromTable)?.rule;
    // A truncated referencing table holds no rows to keep consistent.
    if (childRule?.kind === "truncate") continue;
    let bothMasked = false;
    let ok = true;
    fk.fromColumns.forEach((from, i) => {
      const to = fk.toColumns[i];
      const child = maskOf(fk.fromTable, from);
      const parent = maskOf(fk.toTable, to);
      const parentGone = rules.get(fk.toTable)?.rule.kind === "truncate";
      const childName = short(fk.fromTable, from);
      const parentName = short(fk.toTable, to);
      if (parent && child) {
        bothMasked = true;
        if (!sameSpec(parent, child)) {
          ok = false;
          problems.push(
            `${where(fk.fromTable, from)}: ${childName} references ${parentName} (foreign key ${fk.name}), and the two are masked differently ` +
              `(${specText(child)} and ${specText(parent)}), which breaks every reference: mask both with the same transform, e.g. ${specText(parent)}.`,
          );
        } else if (getTransform(parent.transform).references(parent).length) {
          ok = false;
          problems.push(
            `${where(fk.fromTable, from)}: ${childName} references ${parentName} (foreign key ${fk.name}), but ${specText(parent)} reads other columns of the row, ` +
              "so the two tables get different values: use a transform of the value alone (email, hash, ...) on both.",
          );
        }
      } else if (parent && !child) {
        ok = false;
        problems.push(
          `${where(fk.toTable, to)}: ${childName} references ${parentName}, which is masked: mask it with ${specText(parent)} too ` +
            `(tables.${rules.get(fk.fromTable)?.key ?? tableName(fk.fromTable)}.columns.${from}), or truncate ${fk.fromTable}; ` +
            `otherwise it keeps the original values (foreign key ${fk.name}).`,
        );
      } else if (child && !parent && !parentGone && child.transform !== "null" && child.transform !== "fixed") {
        // null always satisfies a foreign key; a fixed value may name a real parent row (the database checks it).
        ok = false;
        problems.push(
          `${where(fk.fromTable, from)}: ${childName} references ${parentName} (foreign key ${fk.name}), which is not masked, so masked values would reference ` +
            `no row: mask ${parentName} with ${specText(child)} too, or use { transform: null }.`,
        );
      }
    });
    // A `where` masks only some rows of one side: the other side's references to the rest break.
    const partly = [fk.fromTable, fk.toTable].filter((t) => {
      const r = rules.get(t)?.rule;
      return r?.kind === "mask" && r.where !== undefined;
    });
    if (bothMasked && partly.length) {
      ok = false;
      problems.push(
        `tables.${rules.get(partly[0])!.key}.where: ${tableName(fk.fromTable)}.${fk.fromColumns.join(", ")} references ${tableName(fk.toTable)}.${fk.toColumns.join(", ")} ` +
          `(foreign key ${fk.name}), masked on both sides, but where masks only some rows of ${partly.map(tableName).join(" and ")}, which breaks the references to the others: ` +
          "mask every row (remove where), or delete the rows you don't want (delete).",
      );
    }
    if (bothMasked && ok) linked.push(fk);
  }
  return { linked, problems };
}
