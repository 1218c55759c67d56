/** Engine name -> Dialect. A third engine is a new folder and one line here. */
import type { EngineName } from "../core/types";
import { mysql } from "./mysql";
import { postgres } from "./postgres";
import type { Dialect } from "./types";

const dialects: Record<EngineName, Dialect> = { postgres, mysql };

export function getDialect(engine: EngineName): Dialect {
  const d = dialects[engine];
  if (!d) throw new Error(`unknown database engine "${String(engine)}": use postgres or mysql`);
  return d;
}

export type { Dialect, Statements } from "./types";
