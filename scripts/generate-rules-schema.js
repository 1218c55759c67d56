#!/usr/bin/env node
// `npm run generate`: rewrites what is generated from the transform catalogue (sanitize/transforms):
// sanitize/rules/rules.schema.json, and the transform tables between
// `<!-- transforms:start -->` and `<!-- transforms:end -->` in docs/rules.md and README.md.
// Runs against the compiled dist/ (the npm script builds it first). test/generated-files.test.ts
// fails when a committed file differs from what this writes.
const { readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const dist = join(root, "dist", "sanitize");
const { rulesSchemaText } = require(join(dist, "rules", "build-schema.js"));
const { docsTransformsTable, readmeTransformsTable, withTransformsTable } = require(join(dist, "transforms", "describe.js"));

function write(file, text) {
  const path = join(root, file);
  let before;
  try {
    before = readFileSync(path, "utf8");
  } catch {
    before = undefined;
  }
  if (before === text) return;
  writeFileSync(path, text);
  console.log(`wrote ${file}`);
}

write("sanitize/rules/rules.schema.json", rulesSchemaText());
for (const [file, table] of [
  ["docs/rules.md", docsTransformsTable()],
  ["README.md", readmeTransformsTable()],
]) {
  write(file, withTransformsTable(readFileSync(join(root, file), "utf8"), table, file));
}
