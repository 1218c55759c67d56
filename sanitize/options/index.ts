export * from "./schema";
export { describeIssues, pathText, type IssueContext } from "./issues";
export { closest, didYouMean, editDistance } from "../core/closest";
