/**
 * Files generated from the transform catalogue by `npm run generate` (scripts/generate-rules-schema.js):
 * the committed copies must be what the catalogue gives today.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rulesSchemaText } from "../sanitize/rules/build-schema";
import { docsTransformsTable, readmeTransformsTable, withTransformsTable } from "../sanitize/transforms/describe";

const root = join(__dirname, "..");
const read = (file: string) => readFileSync(join(root, file), "utf8");
const STALE = "is stale: run `npm run generate` and commit the result";

describe("generated from the transform catalogue", () => {
  it(`sanitize/rules/rules.schema.json is what the catalogue gives (else it ${STALE})`, () => {
    expect(read("sanitize/rules/rules.schema.json"), `rules.schema.json ${STALE}`).toBe(rulesSchemaText());
  });

  it.each([
    ["docs/rules.md", docsTransformsTable],
    ["README.md", readmeTransformsTable],
  ])("the transform table in %s is what the catalogue gives", (file, table) => {
    const text = read(file);
    expect(text, `the transform table in ${file} ${STALE}`).toBe(withTransformsTable(text, table(), file));
  });

  it("a hand edit inside the marked region is caught, and a file without the markers is an error", () => {
    const text = read("docs/rules.md").replace("| `uuid` |", "| `uuid4` |");
    expect(withTransformsTable(text, docsTransformsTable(), "docs/rules.md")).not.toBe(text);
    expect(() => withTransformsTable("# no table here\n", docsTransformsTable(), "x.md")).toThrow(/x\.md: no "<!-- transforms:start -->"/);
  });
});
