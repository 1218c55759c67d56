import { z } from "zod";
import { param, raw, sql, type Sql } from "../core/sql";
import type { TransformSpec } from "../core/types";
import { columnProblems, keepNull, needLength, notMatching, requireKey } from "./common";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "uuid" }>;

export const UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

/**
 * A version-4-shaped UUID from the first 32 hex chars of the HMAC (122 of its bits survive the
 * version and variant): collisions are as unlikely as between random UUIDs, so unique columns
 * and foreign keys between UUID columns stay intact.
 */
export const uuid = {
  name: "uuid",
  summary:
    "Deterministic, valid version-4 UUID from the HMAC of the value: same input, same UUID in every table; keeps uniqueness; text or uuid columns; NULL stays NULL.",
  options: z.strictObject({}),
  columnTypes: ["uuid", "text"],
  output: "a version-4 UUID from the HMAC",
  uniqueness: "yes",
  example: { transform: "uuid" },
  deterministic: true,
  preservesUniqueness: () => true,
  references: () => [],
  validate(_spec, column) {
    const out = columnProblems(column);
    if (column.typeClass !== "uuid" && column.typeClass !== "text") {
      out.push(`transform "uuid" produces a UUID, but the column is ${column.rawType}: use it on uuid, char(36) or varchar columns.`);
    }
    if (column.typeClass === "text") out.push(...needLength("uuid", column, 36));
    return out;
  },
  render(_spec, ctx) {
    const key = requireKey(ctx, "uuid");
    const { fn } = ctx;
    const body = (h: Sql): Sql => {
      const part = (start: number, length: number) => fn.substrAt(h, raw(String(start)), raw(String(length)));
      // Variant 10xx: one of 8, 9, a, b, picked by the HMAC's 17th hex char.
      const variant = fn.substrAt(param("89ab"), sql`mod(${fn.hexToInt(part(17, 1))}, 4) + 1`, raw("1"));
      return fn.concat([
        part(1, 8),
        param("-"),
        part(9, 4),
        param("-4"),
        part(14, 3),
        param("-"),
        variant,
        part(18, 3),
        param("-"),
        part(21, 12),
      ]);
    };
    const out = fn.bind([() => ({ h: fn.hmacHex(ctx.self, key) })], (ref) => body(ref("h")));
    return keepNull(ctx.self, ctx.column.typeClass === "uuid" ? fn.castTo(out, ctx.column) : out);
  },
  violation(_spec, ctx) {
    return notMatching(ctx, UUID_V4);
  },
} satisfies TransformDefinition<Spec>;
