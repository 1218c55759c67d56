/** `aurora-staging transforms`: the catalogue as text and JSON, from the same definitions as the rules schema. */
import { describe, expect, it } from "vitest";
import { main } from "../sanitize/cli/main";
import { Io } from "../sanitize/cli/io";
import { transformNames } from "../sanitize/transforms";
import rulesSchema from "../sanitize/rules/rules.schema.json";

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const sink = (write: (s: string) => void) =>
    ({
      write: (s: string) => {
        write(s);
        return true;
      },
      isTTY: false,
      columns: 100,
    }) as unknown as NodeJS.WriteStream;
  const code = await main(
    argv,
    new Io(
      sink((s) => (out += s)),
      sink((s) => (err += s)),
    ),
  );
  return { code, out, err };
}

type Listed = {
  name: string;
  summary: string;
  needsMaskingKey: boolean;
  columnTypes: string[] | "any";
  options: { name: string; required: boolean; default?: unknown }[];
};

describe("aurora-staging transforms", () => {
  it("--json lists every transform with its summary, options and defaults, as the rules schema has them", async () => {
    const { code, out } = await run("transforms", "--json");
    expect(code).toBe(0);
    const listed = (JSON.parse(out) as { transforms: Listed[] }).transforms;
    expect(listed.map((t) => t.name)).toEqual(transformNames);
    const defs = (
      rulesSchema as unknown as {
        definitions: Record<string, { description: string; required: string[]; properties: Record<string, { default?: unknown }> }>;
      }
    ).definitions;
    for (const t of listed) {
      const def = defs[t.name];
      expect(t.summary).toBe(def.description);
      expect(t.options.map((o) => o.name)).toEqual(Object.keys(def.properties).filter((k) => k !== "transform"));
      for (const o of t.options) {
        expect(o.required, `${t.name}.${o.name}`).toBe(def.required.includes(o.name));
        expect(o.default, `${t.name}.${o.name}`).toEqual(def.properties[o.name].default);
      }
    }
    const hash = listed.find((t) => t.name === "hash")!;
    expect(hash).toMatchObject({
      needsMaskingKey: true,
      columnTypes: ["text"],
      options: [{ name: "length", required: false, default: 64, allowed: "8..64" }],
    });
  });

  it("prints a block per transform, or only the ones named", async () => {
    const all = await run("transforms");
    expect(all.code).toBe(0);
    for (const n of transformNames) expect(all.out).toMatch(new RegExp(`^${n}: `, "m"));
    const some = await run("transforms", "email", "date");
    expect(some.out.split("\n\n").map((b) => b.split(":")[0])).toEqual(["email", "date"]);
    expect(some.out).toContain("  options: range: 1..36500 (default 30); keep: year, month\n");
    expect(some.out).toContain("  columns: date, timestamp; masking key: needed; keeps uniqueness: no\n");
    expect(some.out).toContain("  example: { transform: email, domain: example.com }\n");
  });

  it("an unknown name is a usage error (exit 2) with a did-you-mean, and nothing on stdout", async () => {
    const r = await run("transforms", "emial");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain('"emial" (did you mean "email"?) is not a transform');
    expect(r.err).toContain(`expected one of ${transformNames.join(", ")}`);
  });

  it("is listed in the main help and has its own --help", async () => {
    expect((await run("--help")).out).toMatch(/^ {2}transforms +list the transforms/m);
    const help = await run("transforms", "--help");
    expect(help.code).toBe(0);
    expect(help.out).toContain("Usage: aurora-staging transforms [NAME...] [--json]");
  });
});
