import type { Dialect } from "../types";
import { connect } from "./driver";
import { functions, quoter } from "./functions";
import { introspect } from "./introspector";
import { sampleValues } from "./sample-values";
import { statements } from "./statements";

export const postgres: Dialect = {
  engine: "postgres",
  quoter,
  functions,
  statements,
  connect,
  introspect,
  truncateStyle: "together",
  sampleValues,
};
