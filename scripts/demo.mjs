#!/usr/bin/env node
// `npm run demo -- [flags]`: installs the one database server the demo's --engine needs
// (PostgreSQL by default, MariaDB for --engine mysql|mariadb), then runs the built CLI's
// `demo` with the same flags and exits with its code. npm hands extra flags to the last
// command of a script only, so this wrapper is what lets the install step see --engine.
import { spawn, spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const at = args.findIndex((a) => a === "--engine" || a.startsWith("--engine="));
const engine = at < 0 ? "postgres" : args[at].includes("=") ? args[at].split("=")[1] : args[at + 1];
const server = engine === "mysql" || engine === "mariadb" ? "mysql" : "postgres";

const ensure = spawnSync(process.execPath, ["scripts/ensure-db-servers.mjs", server], { stdio: "inherit" });
if (ensure.status !== 0) process.exit(ensure.status ?? 1);

const child = spawn(process.execPath, ["dist/sanitize/cli/main.js", "demo", ...args], { stdio: "inherit" });
// Ctrl-C reaches the whole foreground group, the demo included: it cleans up and exits 130,
// and this wrapper passes that code on. A SIGTERM sent to this process alone is forwarded.
process.on("SIGINT", () => undefined);
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGTERM" ? 143 : 130)));
