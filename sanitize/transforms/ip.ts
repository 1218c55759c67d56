import { z } from "zod";
import { param, raw, sql, type Sql } from "../core/sql";
import type { TransformSpec } from "../core/types";
import { columnProblems, keepNull, needLength, needUniqueSafe, notMatching, requireKey } from "./common";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "ip" }>;

/** RFC 5737 documentation networks: never routed, never anyone's real address. */
export const IPV4_DOC_PREFIXES = ["192.0.2.", "198.51.100.", "203.0.113."] as const;
/** RFC 3849: 2001:db8::/32, written out as 6 full groups after the prefix. */
const IPV6_PREFIX = "2001:db8:";
const IPV6_LENGTH = IPV6_PREFIX.length + 6 * 4 + 5;
const IPV4_LENGTH = "203.0.113.254".length;

const v4Only = (spec: Spec): boolean => spec.version === 4;

export const ip = {
  name: "ip",
  summary:
    "Deterministic address in the documentation ranges: IPv4 in 192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24, IPv6 in 2001:db8::/32 (`version: 4` maps IPv6 to IPv4 too, for short columns); text or PostgreSQL inet; NULL stays NULL.",
  options: z.strictObject({
    version: z.literal([4, "any"]).default("any").describe("4: map IPv6 input to IPv4 too (outputs fit varchar(15)). Default any."),
  }),
  columnTypes: ["text"],
  columnTypesNote: "or PostgreSQL inet",
  output: "an address in the documentation ranges",
  uniqueness: "no",
  example: { transform: "ip", version: 4 },
  deterministic: true,
  // 762 IPv4 outputs: equal outputs are expected.
  preservesUniqueness: () => false,
  references: () => [],
  validate(spec, column) {
    const out = columnProblems(column);
    const inet = column.typeClass === "other" && /^inet$/i.test(column.rawType);
    if (column.typeClass !== "text" && !inet)
      out.push(`transform "ip" produces an address, but the column is ${column.rawType}: use it on text or inet columns.`);
    if (column.typeClass === "text")
      out.push(
        ...needLength(
          "ip",
          column,
          v4Only(spec) ? IPV4_LENGTH : IPV6_LENGTH,
          v4Only(spec) ? "output" : "IPv6 output (use `version: 4` for IPv4-only columns)",
        ),
      );
    out.push(...needUniqueSafe("ip", column, false, "has 762 IPv4 outputs"));
    return out;
  },
  render(spec, ctx) {
    const key = requireKey(ctx, "ip");
    const { fn } = ctx;
    const byte = (h: Sql, at: number): Sql => fn.hexToInt(fn.substrAt(h, raw(String(at)), raw("2")));
    const v4 = (h: Sql): Sql =>
      fn.concat([fn.pick(IPV4_DOC_PREFIXES, sql`mod(${byte(h, 1)}, 3)`), fn.toText(sql`1 + mod(${byte(h, 3)}, 254)`)]);
    const v6 = (h: Sql): Sql => {
      const groups: Sql[] = [];
      for (let g = 0; g < 6; g++) groups.push(...(g ? [param(":")] : []), fn.substrAt(h, raw(String(5 + 4 * g)), raw("4")));
      return fn.concat([param(IPV6_PREFIX), ...groups]);
    };
    const body = (h: Sql): Sql =>
      v4Only(spec) ? v4(h) : sql`CASE WHEN ${fn.like(ctx.self, param("%:%"))} THEN ${v6(h)} ELSE ${v4(h)} END`;
    const out = fn.bind([() => ({ h: fn.hmacHex(ctx.self, key) })], (ref) => body(ref("h")));
    return keepNull(ctx.self, ctx.column.typeClass === "text" ? out : fn.castTo(out, ctx.column));
  },
  violation(_spec, ctx) {
    // PostgreSQL prints an inet with its mask (/32, /128) and shortens IPv6 groups.
    const v4 = `(192[.]0[.]2|198[.]51[.]100|203[.]0[.]113)[.][0-9]{1,3}(/32)?`;
    return notMatching(ctx, `${v4}|2001:db8:[0-9a-f:]*(/128)?`);
  },
} satisfies TransformDefinition<Spec>;
