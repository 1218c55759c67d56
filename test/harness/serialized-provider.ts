/**
 * Runs a tiny Pulumi program under `pulumi.runtime.setMocks` that declares one Sanitization
 * resource, and captures what the engine would store: the registered inputs, including
 * `__provider` (the provider serialized to JavaScript text).
 */
import * as pulumi from "@pulumi/pulumi";
import requireFromString from "require-from-string";
import { Sanitization, SANITIZATION_TOKEN, type SanitizationArgs } from "../../components/sanitization";

export interface DeclaredSanitization {
  /** The registered inputs as the monitor received them: secrets still wrapped, `__provider` included. */
  registered: Record<string, unknown>;
  /**
   * The inputs as the engine hands them to a dynamic provider (which does not accept
   * secrets): secret wrappers removed.
   */
  inputs: Record<string, unknown>;
  /** The registered type token. */
  type: string;
  /** The resource object, whose outputs resolve from what `onRegister` returned. */
  resource: Sanitization;
}

/**
 * Declares the resource; `onRegister` plays the engine's part and returns the state the
 * resource's outputs resolve from (default: the inputs, as a mock would).
 */
export async function declareSanitization(
  args: SanitizationArgs,
  onRegister: (inputs: Record<string, unknown>) => Promise<Record<string, unknown>> = async (i) => i,
): Promise<DeclaredSanitization> {
  let captured: { type: string; registered: Record<string, unknown>; inputs: Record<string, unknown> } | undefined;
  let failure: unknown;
  await pulumi.runtime.setMocks(
    {
      async newResource(a: pulumi.runtime.MockResourceArgs) {
        if (a.type !== SANITIZATION_TOKEN) return { id: `${a.name}-id`, state: a.inputs };
        const inputs = unwrapSecrets(a.inputs);
        captured = { type: a.type, registered: a.inputs, inputs };
        try {
          return { id: `${a.name}-id`, state: await onRegister(inputs) };
        } catch (e) {
          // Surface it from declareSanitization instead of as an unhandled registration error.
          failure = e;
          return { id: `${a.name}-id`, state: {} };
        }
      },
      call: (a: pulumi.runtime.MockCallArgs) => a.inputs,
    },
    "aurora-staging",
    "test",
    false,
  );
  const resource = new Sanitization("sanitize", args);
  // The URN resolves once the (mock) monitor answered the registration.
  await outputValue(resource.urn);
  if (failure !== undefined) throw failure;
  if (!captured) throw new Error(`no resource of type ${SANITIZATION_TOKEN} was registered`);
  return { ...captured, resource };
}

function unwrapSecrets(props: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, pulumi.runtime.unwrapRpcSecret(v)]));
}

/** The value of an Output (test helper; programs never need this). */
export function outputValue<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/** Loads serialized provider text the way the engine's provider host does. */
export function loadSerializedProvider(text: string): pulumi.dynamic.ResourceProvider {
  return requireFromString(text).handler();
}
