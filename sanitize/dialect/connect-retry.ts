/**
 * Connecting to a clone that is still booting: DNS for a new Aurora endpoint can take
 * minutes to resolve, and a starting instance refuses connections. Both engines retry the
 * same transient failures with backoff, then fail with one message that says where we tried,
 * what failed last and how to reach a private cluster. Passwords never appear: messages are
 * built from host, port, error code and the driver's message (which never contains it).
 */
import { Redactor } from "../core/redact";
import { SanitizeError, type ConnectionTarget } from "../core/types";

const TRANSIENT_CODES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "57P03",
]);

export function isTransientConnectError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e?.code && TRANSIENT_CODES.has(e.code)) return true;
  const msg = String(e?.message ?? "");
  return /database system is starting up|Connection terminated due to connection timeout|connect ETIMEDOUT|timeout expired|Server shutdown in progress/i.test(
    msg,
  );
}

export function describeError(err: unknown, password?: string): string {
  const e = err as { code?: string; message?: string };
  // Belt and braces: drivers don't put the password in messages, but never risk it (any
  // length, raw or URL-encoded, and a password in a URL the driver echoed).
  const redactor = new Redactor({ placeholder: "<secret>", minLength: 1 });
  redactor.add(password);
  const msg = redactor.scrub(String(e?.message ?? err));
  return e?.code && !msg.includes(e.code) ? `${e.code}: ${msg}` : msg;
}

/** ConnectOptions.retryForMs when not given. */
export const DEFAULT_RETRY_FOR_MS = 120_000;

export async function connectWithRetry<T>(
  target: ConnectionTarget,
  retryForMs: number = DEFAULT_RETRY_FOR_MS,
  attempt: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + retryForMs;
  let delay = 250;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const transient = isTransientConnectError(err);
      if (!transient || Date.now() + delay > deadline) {
        throw new SanitizeError(
          [
            `cannot connect to ${target.engine} at ${target.host}:${target.port} (database "${target.database}", user "${target.user}")` +
              (transient ? ` after retrying for ${Math.round(retryForMs / 1000)} s` : "") +
              `: ${describeError(err, target.password)}. ` +
              (transient
                ? "The host is unreachable from here: run from a network that reaches the cluster (VPN, a CI runner inside the VPC, " +
                  "or SSM port forwarding to a bastion: `aws ssm start-session --document-name AWS-StartPortForwardingSessionToRemoteHost`), " +
                  "or raise connect.retryForMs if the cluster is still booting."
                : "Check the user, password (from the URL, PGPASSWORD or MYSQL_PWD), database name and TLS settings."),
          ],
          "connection",
        );
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

/** Lives in core (it is not about connecting); re-exported so callers keep their import. */
export { redactDbMessage } from "../core/redact-db";
