/**
 * A SCRAM-SHA-256 password verifier computed in Node (RFC 5802 / 7677, PostgreSQL's stored
 * format), so `CREATE ROLE ... PASSWORD '<verifier>'` never carries the password itself: a
 * statement logged by the server (log_statement = ddl, pgaudit ROLE) shows only the verifier.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

const ITERATIONS = 4096; // PostgreSQL's default scram_iterations

export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  // PostgreSQL SASLprep-normalises non-ASCII passwords; a verifier of the raw bytes could then
  // fail to match, so only printable ASCII is accepted (generated passwords are).
  if (!/^[\x20-\x7e]+$/.test(password)) throw new Error("the application user's password must be printable ASCII");
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
