/**
 * Every `$schema=` the docs, the shipped default rules and the scan draft write points at a file
 * that exists (it once pointed into a node_modules package this private project never installs).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { draftRules } from "../sanitize/coverage";

const root = join(__dirname, "..");
const schemaRefs = (text: string): string[] => [...text.matchAll(/\$schema=(\S+)/g)].map((m) => m[1]);

describe("yaml-language-server $schema paths", () => {
  // Examples in the docs are rules files at the repository root; the default rules sit next to rules/.
  it.each([
    ["README.md", root],
    ["docs/rules.md", root],
    ["sanitize/default-rules.yaml", join(root, "sanitize")],
  ])("%s points at the committed schema", (file, base) => {
    const refs = schemaRefs(readFileSync(join(root, file), "utf8"));
    expect(refs.length, file).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref, `${file}: ${ref}`).not.toContain("node_modules");
      expect(existsSync(resolve(base, ref)), `${file}: ${ref} does not exist`).toBe(true);
      expect(resolve(base, ref)).toBe(join(root, "sanitize", "rules", "rules.schema.json"));
    }
  });

  it("the build ships the schema where docs/rules.md says (dist/sanitize/rules/rules.schema.json)", () => {
    // test/harness/global-setup.ts builds dist/ the way `npm run build` does.
    expect(readFileSync(join(root, "docs", "rules.md"), "utf8")).toContain("`dist/sanitize/rules/rules.schema.json`");
    const shipped = join(root, "dist", "sanitize", "rules", "rules.schema.json");
    expect(JSON.parse(readFileSync(shipped, "utf8"))).toEqual(
      JSON.parse(readFileSync(join(root, "sanitize", "rules", "rules.schema.json"), "utf8")),
    );
  });

  it("the scan draft's default points at the committed schema from the repository root", () => {
    const empty = {
      engine: "postgres",
      database: "db",
      defaultSchema: "public",
      tables: new Map(),
      foreignKeys: [],
    } as unknown as Parameters<typeof draftRules>[0];
    const [ref] = schemaRefs(draftRules(empty));
    expect(existsSync(resolve(root, ref)), ref).toBe(true);
    expect(dirname(resolve(root, ref))).toBe(join(root, "sanitize", "rules"));
  });
});
