#!/usr/bin/env node
// Part of `npm run build`: writes the rules JSON Schema validator as standalone JavaScript
// (dist/sanitize/rules/rules-validator.js), with the same Ajv options the library uses, so
// loading rules doesn't compile the schema at run time (see sanitize/rules/schema.ts). The schema
// itself is generated from the transform catalogue by `npm run generate` (generate-rules-schema.js).
const { writeFileSync } = require("node:fs");
const { join } = require("node:path");
const Ajv = require("ajv").default;
const standaloneCode = require("ajv/dist/standalone").default;

const dir = join(__dirname, "..", "dist", "sanitize", "rules");
const { AJV_OPTIONS, rulesSchema } = require(join(dir, "schema.js"));
const ajv = new Ajv({ ...AJV_OPTIONS, code: { ...(AJV_OPTIONS.code || {}), source: true } });
writeFileSync(join(dir, "rules-validator.js"), standaloneCode(ajv, ajv.compile(rulesSchema)));
