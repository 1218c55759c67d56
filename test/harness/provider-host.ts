/**
 * Runs the Pulumi SDK's own dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) as a
 * child process, exactly as the engine does (plain `node`, project directory as cwd), and
 * talks to it over gRPC with the SDK's own generated stubs. This is the path a real
 * `pulumi up` takes, minus the engine: the serialized provider text travels in `__provider`.
 *
 *   const host = await startProviderHost();
 *   const { inputs, failures } = await host.check({}, { __provider, ...news });
 *   await host.stop();
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";

// Load grpc-js, the stubs and google-protobuf through @pulumi/pulumi's own resolution, so
// the client uses the very same module instances the stubs were generated against.
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi"));
const grpc = pulumiRequire("@grpc/grpc-js");
const provrpc = pulumiRequire("./proto/provider_grpc_pb");
const provproto = pulumiRequire("./proto/provider_pb");
const structproto = pulumiRequire("google-protobuf/google/protobuf/struct_pb");

export type Props = Record<string, unknown>;

export interface ProviderHost {
  check(olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }>;
  diff(id: string, olds: Props, news: Props): Promise<{ changes: "none" | "some" | "unknown"; replaces: string[] }>;
  create(props: Props): Promise<{ id: string; properties: Props }>;
  update(id: string, olds: Props, news: Props): Promise<Props>;
  read(id: string, props: Props): Promise<{ id: string; properties: Props }>;
  delete(id: string, props: Props): Promise<void>;
  /** Everything the host wrote to stderr so far (e.g. logged errors). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Struct can't hold `undefined`; the engine drops such properties too. */
function toStruct(p: Props): unknown {
  return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(p)));
}

export async function startProviderHost(opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProviderHost> {
  const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
  // The host takes the engine's address as its only required argument; it never dials it
  // for the calls used here (no configure, no logging through the engine).
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [entry, "127.0.0.1:1"], {
    cwd: opts.cwd ?? path.resolve(__dirname, "../.."),
    env: { ...process.env, ...opts.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d) => (err += String(d)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  // The host prints the port it listens on as its first stdout line.
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const onData = (d: Buffer) => {
      out += String(d);
      const line = out.split("\n")[0];
      if (out.includes("\n") && /^\d+$/.test(line.trim())) {
        child.stdout.off("data", onData);
        resolve(Number(line.trim()));
      }
    };
    child.stdout.on("data", onData);
    child.once("exit", (code) => reject(new Error(`dynamic provider host exited (${code}) before printing its port: ${err}`)));
  });

  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <T>(method: string, req: unknown): Promise<T> =>
    new Promise((resolve, reject) => client[method](req, (e: Error | null, resp: T) => (e ? reject(e) : resolve(resp))));

  // The engine configures a provider before anything else and learns whether it accepts
  // secrets; the dynamic provider host says no, so the engine sends it plain values.
  const configure = new provproto.ConfigureRequest();
  configure.setArgs(toStruct({}));
  configure.setAcceptsecrets(true);
  const configured = await call<any>("configure", configure);
  if (configured.getAcceptsecrets() !== false)
    throw new Error("the dynamic provider host unexpectedly accepts secrets: the tests' plain inputs would not match the engine's");

  const diffChanges = provproto.DiffResponse.DiffChanges;
  return {
    async check(olds, news) {
      const req = new provproto.CheckRequest();
      req.setUrn("urn:pulumi:test::aurora-staging::pulumi-nodejs:dynamic/aurora-staging:Sanitization::s");
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      const resp = await call<any>("check", req);
      return {
        inputs: resp.getInputs().toJavaScript(),
        failures: resp.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(id, olds, news) {
      const req = new provproto.DiffRequest();
      req.setId(id);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      const resp = await call<any>("diff", req);
      const c = resp.getChanges();
      return {
        changes: c === diffChanges.DIFF_NONE ? "none" : c === diffChanges.DIFF_SOME ? "some" : "unknown",
        replaces: resp.getReplacesList(),
      };
    },
    async create(props) {
      const req = new provproto.CreateRequest();
      req.setProperties(toStruct(props));
      const resp = await call<any>("create", req);
      return { id: resp.getId(), properties: resp.getProperties().toJavaScript() };
    },
    async update(id, olds, news) {
      const req = new provproto.UpdateRequest();
      req.setId(id);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      const resp = await call<any>("update", req);
      return resp.getProperties().toJavaScript();
    },
    async read(id, props) {
      const req = new provproto.ReadRequest();
      req.setId(id);
      req.setProperties(toStruct(props));
      const resp = await call<any>("read", req);
      return { id: resp.getId(), properties: resp.getProperties().toJavaScript() };
    },
    async delete(id, props) {
      const req = new provproto.DeleteRequest();
      req.setId(id);
      req.setProperties(toStruct(props));
      await call<unknown>("delete", req);
    },
    stderr: () => err,
    async stop() {
      client.close();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
