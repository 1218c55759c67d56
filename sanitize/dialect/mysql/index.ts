import type { Dialect } from "../types";
import { connect } from "./driver";
import { functions, quoter } from "./functions";
import { introspect } from "./introspector";
import { sampleValues } from "./sample-values";
import { statements } from "./statements";

export const mysql: Dialect = {
  engine: "mysql",
  quoter,
  functions,
  statements,
  connect,
  introspect,
  truncateStyle: "fk-checks-off",
  sampleValues,
};
