export * from "./finding-kind.js";
export * from "./flow-columns.js";
export * from "./k8s-name.js";
export * from "./question.js";
export * from "./report.js";
export * from "./catalog.js";
export * from "./text.js";
export * from "./question-schema.js";
