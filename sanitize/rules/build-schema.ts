/**
 * The rules JSON Schema (rules.schema.json), built from the transform catalogue plus the file
 * layout below. `npm run generate` writes it (scripts/generate-rules-schema.js); a test fails
 * when the committed file differs from what this builds. Ajv validates with the committed file
 * (sanitize/rules/schema.ts), editors read it for completion and hover text.
 */
import { definitionOf, transformNames } from "../transforms";
import { optionsJsonSchema } from "../transforms/describe";
import type { TransformName } from "../core/types";

type Json = Record<string, unknown>;

/** The file around the transforms: tables, keep, verify, databases, logins. */
const LAYOUT = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "aurora-staging sanitization rules",
  description:
    "Which tables and columns of the staging clone are masked, truncated or thinned, what is deliberately kept, and the checks that must pass afterwards. See docs/rules.md.",
  type: "object",
  additionalProperties: false,
  required: ["tables"],
  properties: {
    tables: {
      description: "One entry per table, keyed `table` (default schema) or `schema.table`; names may hold spaces, not dots.",
      type: "object",
      propertyNames: {
        pattern: "^[^.\\u0000]+(\\.[^.\\u0000]+)?$",
      },
      additionalProperties: {
        $ref: "#/definitions/table",
      },
    },
    keep: {
      description:
        'Columns reviewed and deliberately left as they are: `table.column`, `schema.table.column` or `table.*`; a name holding a dot or a double quote is written in double quotes (`"order.items".email`).',
      type: "array",
      items: {
        type: "string",
        pattern:
          '^(?:[^."\\u0000*]+|"(?:[^"\\u0000]|"")+")(\\.(?:[^."\\u0000*]+|"(?:[^"\\u0000]|"")+"))?\\.((?:[^."\\u0000*]+|"(?:[^"\\u0000]|"")+")|\\*)$',
      },
    },
    verify: {
      description: "Queries run after sanitizing; each must return `expect` (first column of the first row).",
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "sql", "expect"],
        properties: {
          name: {
            type: "string",
            description: "Shown in the report.",
            minLength: 1,
          },
          sql: {
            type: "string",
            description: "A single SELECT returning one value.",
            minLength: 1,
          },
          expect: {
            type: ["number", "string"],
            description: "The value the query must return.",
          },
        },
      },
    },
    databases: {
      description:
        "The cluster's other databases (PostgreSQL databases, MySQL schemas), by name: `{ drop: true }`, `{ clean: true }` (kept as is after review; keep/verify allowed) or their own tables/keep/verify. The top-level tables/keep/verify are the target database's. A non-empty database not named here fails the coverage guard.",
      type: "object",
      propertyNames: {
        pattern: "^[^\\u0000]+$",
      },
      additionalProperties: {
        $ref: "#/definitions/database",
      },
    },
    logins: {
      description: "Login roles/users copied from production. All are locked before masking except the connecting user and `keep`.",
      type: "object",
      additionalProperties: false,
      properties: {
        keep: {
          description: "Login roles/users (PostgreSQL role names, MySQL user names) left able to log in.",
          type: "array",
          items: {
            type: "string",
            minLength: 1,
          },
        },
      },
    },
  },
} as const;

const DATABASE = {
  description: "Another database of the cluster: drop: true, clean: true, or its own tables/keep/verify.",
  type: "object",
  additionalProperties: false,
  properties: {
    drop: {
      const: true,
      description: "Drop the database (nothing of it reaches staging).",
    },
    clean: {
      const: true,
      description: "Reviewed: holds no personal data, kept as is. The coverage guard and its verify queries still run.",
    },
    tables: {
      $ref: "#/properties/tables",
    },
    keep: {
      $ref: "#/properties/keep",
    },
    verify: {
      $ref: "#/properties/verify",
    },
  },
};

const TABLE = {
  description:
    "Mask columns (optionally only rows matching `where`, optionally after deleting rows matching `delete`), truncate the table, or only delete rows.",
  type: "object",
  additionalProperties: false,
  properties: {
    columns: {
      description: "Column name -> transform.",
      type: "object",
      propertyNames: {
        pattern: "^[^\\u0000]+$",
      },
      additionalProperties: {
        $ref: "#/definitions/transform",
      },
    },
    where: {
      type: "string",
      description: "Only rows matching this SQL condition are masked.",
      minLength: 1,
    },
    delete: {
      type: "string",
      description: "Rows matching this SQL condition are deleted (before masking).",
      minLength: 1,
    },
    truncate: {
      type: "boolean",
      description: "Empty the table. Can't be combined with columns, where or delete.",
    },
    cascade: {
      type: "boolean",
      description: "With truncate: also truncate tables referencing this one (PostgreSQL CASCADE). Default false.",
    },
  },
};

/**
 * `transform: null` in YAML is a null, not the string "null"; the loader reads it as the `null`
 * transform, and the schema accepts it too so editors don't flag it.
 */
const nameValues = (name: TransformName): Json => (name === "null" ? { enum: ["null", null] } : { const: name });

function transformEntry(name: TransformName): Json {
  const def = definitionOf(name);
  const { properties, required } = optionsJsonSchema(name);
  return {
    description: def.summary,
    type: "object",
    additionalProperties: false,
    required: ["transform", ...required],
    properties: { transform: { ...nameValues(name), description: def.summary }, ...properties },
  };
}

/** `{ transform: x, ... }`: the name picks the entry that says which options x takes. */
function transformChoice(): Json {
  const names = transformNames.join(", ");
  return {
    description: `How a column is masked: ${names}.`,
    type: "object",
    required: ["transform"],
    properties: { transform: { enum: [...transformNames, null], description: `The transform: ${names}.` } },
    allOf: transformNames.map((name) => {
      const when = name === "null" ? { enum: ["null", null] } : { const: name };
      return { if: { properties: { transform: when }, required: ["transform"] }, then: { $ref: `#/definitions/${name}` } };
    }),
  };
}

export function buildRulesSchema(): Json {
  const definitions: Json = { database: DATABASE, table: TABLE, transform: transformChoice() };
  for (const name of transformNames) definitions[name] = transformEntry(name);
  return { ...LAYOUT, definitions };
}

/** The committed file's exact text: two-space JSON and a final newline. */
export function rulesSchemaText(): string {
  return `${JSON.stringify(buildRulesSchema(), null, 2)}\n`;
}
