/**
 * Names for `SqlFunctions.bind`: the step aliases and value columns live in the scope of the
 * masked row's own columns, so they carry a prefix no real column is expected to have, and a
 * reference to an unknown or not-yet-bound name is a programming error caught at render time.
 */
import type { Sql } from "../core/sql";

const NAME = /^[a-z][a-z0-9_]*$/;

export function boundNames(column: (alias: string, name: string) => Sql): {
  ref: (name: string) => Sql;
  add: (step: number, names: string[]) => string;
} {
  const where = new Map<string, string>();
  return {
    ref(name) {
      const alias = where.get(name);
      if (!alias) throw new Error(`bind: "${name}" is not bound by an earlier step`);
      return column(alias, `__aus_${name}`);
    },
    add(step, names) {
      const alias = `__aus_b${step}`;
      for (const n of names) {
        if (!NAME.test(n)) throw new Error(`bind: "${n}" is not a plain lower-case name`);
        if (where.has(n)) throw new Error(`bind: "${n}" is bound twice`);
      }
      for (const n of names) where.set(n, alias);
      return alias;
    },
  };
}
