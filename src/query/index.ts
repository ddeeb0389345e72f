export { FIELDS, FIELD_NAMES, TCP_FLAGS, VERDICTS, DNS_RCODES, POD_TO_WORKLOAD_PATTERN, type FieldName } from "./fields.js";
export { Field, flowQuery, outputColumns, FlowQuery, QueryTemplate, Predicate, Measure, Bin, BUCKET, BIN_SECONDS, type FlowQueryInput } from "./ir.js";
export { compileSql, type CompiledSql } from "./sql.js";
export { compileKql } from "./kql.js";
export { kqlString } from "./escape.js";
export type { FlowResult, FlowSource } from "./source.js";
export { orderRows, rowMatches, rowTest } from "./rows.js";
export { asPredicate, compilePromql, compileSelector, promqlString, re2Literal, MetricQuery, MetricTemplate, LabelMatcher } from "./promql.js";
