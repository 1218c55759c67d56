/**
 * The shipped name lists for the `name` transform: common, plainly fictional-looking in a
 * staging database, ASCII only (fits any charset). Order matters: the HMAC picks by index,
 * so changing these lists changes every masked name (and the docs say so).
 */
export const FIRST_NAMES: readonly string[] = [
  "Alex", "Amara", "Ana", "Andre", "Anika", "Ben", "Bianca", "Carlos", "Chen", "Chloe",
  "Daniel", "Dara", "Elena", "Emeka", "Emma", "Farah", "Felix", "Grace", "Hana", "Hugo",
  "Ines", "Ivan", "Jamal", "Jana", "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leo",
  "Lina", "Luca", "Maya", "Mateo", "Mei", "Nadia", "Nia", "Noah", "Omar", "Olga",
  "Pablo", "Priya", "Quinn", "Rafael", "Rosa", "Sam", "Sara", "Tariq", "Tess", "Uma",
  "Victor", "Vera", "Wei", "Yara", "Yusuf", "Zoe", "Malik", "Ingrid", "Tomas", "Aiko",
];

export const LAST_NAMES: readonly string[] = [
  "Abbott", "Alvarez", "Andersen", "Baker", "Banerjee", "Berg", "Castro", "Chen", "Cohen", "Costa",
  "Dubois", "Duarte", "Eriksen", "Fischer", "Garcia", "Gupta", "Hansen", "Hayes", "Ibrahim", "Ito",
  "Jensen", "Kaur", "Kim", "Kowalski", "Larsen", "Lopez", "Mbeki", "Meyer", "Moreau", "Murphy",
  "Nakamura", "Novak", "Okafor", "Olsen", "Park", "Patel", "Petrov", "Quinn", "Rossi", "Santos",
  "Schmidt", "Silva", "Singh", "Sato", "Tanaka", "Torres", "Ueda", "Varga", "Vogel", "Walsh",
  "Weber", "Wong", "Yamada", "Young", "Zhang", "Zimmer", "Reyes", "Haddad", "Lindqvist", "Osei",
];

export const longest = (list: readonly string[]): number => Math.max(...list.map((s) => s.length));
