/**
 * What a transform says about itself, next to how it renders and validates (as Greenmask's
 * transformer definitions do). The rules JSON Schema (rules/rules.schema.json), the transform
 * table in docs/rules.md and the README, `aurora-staging transforms` and the `json` transform's
 * nested-option check all read these fields; nothing restates them by hand.
 */
import type { z } from "zod";
import type { Transform, TransformSpec, TypeClass } from "../core/types";

export interface TransformDefinition<S extends TransformSpec = TransformSpec> extends Transform<S> {
  /**
   * The options besides `transform`: a strict zod object whose fields carry their description
   * (`.describe`), default (`.default`) and limits. The rules schema's entry is generated from it.
   * Each transform is declared `satisfies TransformDefinition<Spec>`, so the schema's own type
   * stays visible: test/transforms-catalogue.test.ts checks it against TransformSpec at compile time.
   */
  options: z.ZodObject;
  /** Column type classes the transform writes to, or "any" (its value decides, as for `fixed` and `sql`). */
  columnTypes: readonly TypeClass[] | "any";
  /** Said after the type classes when a class alone is not the whole story (e.g. PostgreSQL `inet`). */
  columnTypesNote?: string;
  /** What a masked value looks like, in a few words (docs table). */
  output: string;
  /** Whether unique columns stay unique, in a few words (docs table). */
  uniqueness: string;
  /** A valid use, shown by `aurora-staging transforms` and checked by the tests. */
  example: S;
}

/** `transform: x` plus the options, as a spec type without its name. */
export type OptionsOf<S extends TransformSpec> = Omit<S, "transform">;
