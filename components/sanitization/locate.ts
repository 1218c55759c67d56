/**
 * Program side: where the compiled sanitizer lives, found from the PROGRAM's own files, not
 * from a working directory. The Sanitization resource records this directory as its
 * `sanitizerHome` input, and the serialized provider (run later by the engine's provider host,
 * whose cwd may be anything: an Automation API inline program, a CI runner checked out
 * elsewhere) requires `<sanitizerHome>/dist/sanitize/index.js` from there.
 *
 * Not serialized: only components/sanitization.ts (the resource's constructor) calls this.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The compiled library, relative to the project root (built by `npm run build`; `npm ci` runs it). */
export const SANITIZER_ENTRY = path.join("dist", "sanitize", "index.js");

/**
 * The project root this component belongs to: the nearest directory at or above `from` that
 * holds a package.json (this file is components/sanitization/locate.ts, so normally two levels
 * up; walking up also covers a program that runs this code compiled into another folder).
 * Without any package.json above, the layout's root (two levels up).
 */
export function projectRoot(from: string = __dirname): string {
  const start = path.resolve(from);
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, "..", "..");
  }
}
