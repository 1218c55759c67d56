export { loadRules, parseRules, showPath, type ParsedRules } from "./load";
export { hashRules, canonicalJson } from "./hash";
export { rulesSchema, type PathSegment } from "./schema";
