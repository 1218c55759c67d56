/** The redactor lives in core (the CLI, the Pulumi provider and connect-retry share it); re-exported for the CLI's imports. */
export { Redactor, redactUrl, type RedactorOptions } from "../core/redact";
