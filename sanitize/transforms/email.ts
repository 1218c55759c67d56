import { param } from "../core/sql";
import { z } from "zod";
import type { TransformSpec } from "../core/types";
import { columnProblems, keepNull, needLength, needText, notMatching, regexLiteral, requireKey } from "./common";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "email" }>;

export const DEFAULT_EMAIL_DOMAIN = "example.com";
const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
/** Hex chars of the HMAC kept in the local part: 80 bits, collisions negligible. */
const LOCAL_HEX = 20;

export function emailDomain(spec: Spec): string {
  return spec.domain ?? DEFAULT_EMAIL_DOMAIN;
}

/** Output length is fixed: "u" + 20 hex + "@" + domain. */
export function emailLength(spec: Spec): number {
  return 1 + LOCAL_HEX + 1 + emailDomain(spec).length;
}

export const email = {
  name: "email",
  summary:
    "Deterministic address u<20 hex of HMAC>@<domain> (default example.com); same input, same output in every table and run (same masking key); keeps uniqueness; NULL stays NULL.",
  options: z.strictObject({
    domain: z
      .string()
      .regex(DOMAIN)
      .default(DEFAULT_EMAIL_DOMAIN)
      .describe(`Domain of the generated addresses. Default ${DEFAULT_EMAIL_DOMAIN}.`),
  }),
  columnTypes: ["text"],
  output: "`u` + 20 hex + `@domain`",
  uniqueness: "yes",
  example: { transform: "email", domain: "example.com" },
  deterministic: true,
  preservesUniqueness: () => true,
  references: () => [],
  validate(spec, column) {
    const out = [
      ...columnProblems(column),
      ...needText("email", column),
      ...needLength("email", column, emailLength(spec), `output with domain "${emailDomain(spec)}"`),
    ];
    // The loader's schema checks this too; rules objects passed in directly skip the loader.
    if (!DOMAIN.test(emailDomain(spec)))
      out.push(`email domain "${emailDomain(spec)}" is not a host name; use something like example.com.`);
    return out;
  },
  render(spec, ctx) {
    const key = requireKey(ctx, "email");
    const { fn } = ctx;
    const local = fn.substr(fn.hmacHex(ctx.self, key), 1, LOCAL_HEX);
    return keepNull(ctx.self, fn.concat([param("u"), local, param(`@${emailDomain(spec)}`)]));
  },
  violation(spec, ctx) {
    // The whole value, byte for byte: a real address at the masked domain still fails.
    return notMatching(ctx, `u[0-9a-f]{${LOCAL_HEX}}@${regexLiteral(emailDomain(spec))}`);
  },
} satisfies TransformDefinition<Spec>;
