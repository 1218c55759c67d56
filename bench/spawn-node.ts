/** Runs a Node script in a child process and collects its exit code and output. */
import { spawn } from "node:child_process";

export interface NodeRun {
  code: number | null;
  out: string;
  err: string;
}

export function spawnNode(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"], env });
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}
