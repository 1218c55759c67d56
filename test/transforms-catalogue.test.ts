/**
 * The catalogue is the single source for what a transform takes and where it applies: these
 * tests hold each definition to what its own validate() and render() do, so a declared default,
 * column type or example can't drift from the code.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import { render } from "../sanitize/core/sql";
import type { TransformName, TransformSpec, TypeClass } from "../sanitize/core/types";
import { loadRules } from "../sanitize/rules";
import { definitionOf, optionNames, renderSpec, transformNames } from "../sanitize/transforms";
import { describeTransforms } from "../sanitize/transforms/describe";
import { col, ctxFor, dialects, id, table } from "./harness/transform-helpers";
import type { address } from "../sanitize/transforms/address";
import type { blob } from "../sanitize/transforms/blob";
import type { date } from "../sanitize/transforms/date";
import type { digits } from "../sanitize/transforms/digits";
import type { email } from "../sanitize/transforms/email";
import type { fixed } from "../sanitize/transforms/fixed";
import type { hash } from "../sanitize/transforms/hash";
import type { ip } from "../sanitize/transforms/ip";
import type { name as nameTransform } from "../sanitize/transforms/name";
import type { nullTransform } from "../sanitize/transforms/null";
import type { partial } from "../sanitize/transforms/partial";
import type { phone } from "../sanitize/transforms/phone";
import type { sqlTransform } from "../sanitize/transforms/sql";
import type { template } from "../sanitize/transforms/template";
import type { uuid } from "../sanitize/transforms/uuid";

const TYPE_CLASSES: TypeClass[] = ["text", "integer", "decimal", "boolean", "date", "timestamp", "time", "uuid", "json", "binary", "other"];

/** A plain column of a type class: nullable, not unique, no length limit. */
const plain = (typeClass: TypeClass) =>
  col("v", typeClass, { rawType: typeClass === "text" ? "text" : `a_${typeClass}_type`, maxLength: undefined });

describe("each transform's definition", () => {
  it.each(transformNames)("%s: its example loads from a rules file and fits a column of its declared type", (name) => {
    const def = definitionOf(name);
    expect(def.example.transform).toBe(name);
    const rules = loadRules(JSON.stringify({ tables: { t: { columns: { v: def.example } } } }), "example.yaml");
    expect(rules.tables.t).toEqual({ kind: "mask", columns: { v: def.example } });
    const typeClass = def.columnTypes === "any" ? "text" : def.columnTypes[0];
    const t = table("t", [id, plain(typeClass)]);
    expect(def.validate(def.example as never, plain(typeClass), t)).toEqual([]);
  });

  it.each(transformNames.filter((n) => definitionOf(n).columnTypes !== "any"))(
    "%s: validate() accepts exactly the declared column types",
    (name) => {
      const def = definitionOf(name);
      const accepted = TYPE_CLASSES.filter((tc) => def.validate(def.example as never, plain(tc), table("t", [id, plain(tc)])).length === 0);
      expect(accepted).toEqual(TYPE_CLASSES.filter((tc) => (def.columnTypes as readonly TypeClass[]).includes(tc)));
    },
  );

  it.each(transformNames)("%s: the declared defaults are the ones render() uses", (name) => {
    const def = definitionOf(name);
    // The example without the options that have a default, then with the declared defaults filled in.
    const shape = def.options.shape as Record<string, { def: { type: string } }>;
    const base = Object.fromEntries(
      Object.entries(def.example).filter(([k]) => k === "transform" || shape[k]?.def.type !== "default"),
    ) as TransformSpec;
    const filled = { ...(def.options.parse(withoutName(base)) as object), transform: name } as TransformSpec;
    const t = table("t", [id, plain(def.columnTypes === "any" ? "text" : def.columnTypes[0])]);
    for (const engine of ["postgres", "mysql"] as const) {
      const sqlOf = (spec: TransformSpec) => render(renderSpec(spec, ctxFor(engine, t, "v", { v: spec })), dialects[engine].quoter).display;
      expect(sqlOf(filled), engine).toBe(sqlOf(base));
    }
  });

  it("every option has a description, and `transform` is not an option name", () => {
    for (const t of describeTransforms()) {
      for (const o of t.options) expect(o.description?.length, `${t.name}.${o.name}`).toBeGreaterThan(10);
      expect(optionNames(t.name)).not.toContain("transform");
    }
  });
});

type OptionsOf<N extends TransformName> = Omit<Extract<TransformSpec, { transform: N }>, "transform">;
/** Each assignable to the other: the same keys, optionality and value types. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe("the option schemas and TransformSpec (core/types.ts)", () => {
  // Checked by tsc (npm test typechecks first): a schema that drifts from the spec type fails the build.
  it("declare the same options with the same types", () => {
    expectTypeOf<Same<z.input<typeof fixed.options>, OptionsOf<"fixed">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof nullTransform.options>, OptionsOf<"null">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof template.options>, OptionsOf<"template">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof email.options>, OptionsOf<"email">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof hash.options>, OptionsOf<"hash">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof phone.options>, OptionsOf<"phone">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof nameTransform.options>, OptionsOf<"name">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof partial.options>, OptionsOf<"partial">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof sqlTransform.options>, OptionsOf<"sql">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof digits.options>, OptionsOf<"digits">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof uuid.options>, OptionsOf<"uuid">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof address.options>, OptionsOf<"address">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof ip.options>, OptionsOf<"ip">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof date.options>, OptionsOf<"date">>>().toEqualTypeOf<true>();
    expectTypeOf<Same<z.input<typeof blob.options>, OptionsOf<"blob">>>().toEqualTypeOf<true>();
    // json's items are open (a nested transform's options ride along), so only the path and name are typed.
    expect(transformNames.length).toBe(16);
  });
});

describe("nested json options come from the catalogue", () => {
  it("an unknown option on a nested transform lists that transform's own options", () => {
    const t = table("t", [id, col("doc", "json", { rawType: "jsonb", maxLength: undefined })]);
    const spec = { transform: "json", paths: [{ path: "$.a", transform: "partial", keepFrist: 2 }] } as unknown as TransformSpec;
    expect(definitionOf("json").validate(spec as never, t.columns[1], t)).toEqual([
      `json path "$.a": unknown option "keepFrist" for transform "partial"; expected one of path, transform, ${optionNames("partial").join(", ")}.`,
    ]);
    expect(optionNames("partial")).toEqual(["keepFirst", "keepLast", "mask"]);
  });
});

function withoutName(spec: TransformSpec): Record<string, unknown> {
  const { transform: _name, ...options } = spec as { transform: TransformName } & Record<string, unknown>;
  return options;
}
