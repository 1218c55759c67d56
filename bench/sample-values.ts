/** Small value lists the generators pick from by row number, so data looks like people. */
export const FIRST_NAMES = [
  "Olivia",
  "Liam",
  "Emma",
  "Noah",
  "Amelia",
  "Oliver",
  "Sophia",
  "Elijah",
  "Isabella",
  "Mateo",
  "Mia",
  "Lucas",
  "Chloé",
  "Jürgen",
  "Aiko",
  "Ravi",
  "Fatima",
  "Wei",
  "Zoë",
  "Santiago",
];
export const LAST_NAMES = [
  "Smith",
  "García",
  "Müller",
  "Nguyen",
  "Kowalski",
  "O'Brien",
  "Rossi",
  "Tanaka",
  "Silva",
  "Johnson",
  "Brown",
  "Dubois",
  "Novak",
  "Patel",
  "Kim",
  "Hansen",
  "Lopez",
  "Ivanova",
  "Cohen",
  "Okafor",
];
export const DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "proton.me"];
export const ORDER_STATUSES = ["paid", "shipped", "delivered", "refunded", "cancelled"];
export const AUDIT_EVENTS = ["authorize", "capture", "refund", "chargeback"];

/** A list as SQL string literals: these are our constants, not user data. */
export function literalList(values: readonly string[]): string {
  return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(", ");
}
