export { loadPlaybooks, parsePlaybook, PlaybookError, PLAYBOOK_DIR, type Playbooks } from "./load.js";
export { Check, ChartPlan, Playbook, ScopeMode } from "./schema.js";
export { accessPredicates, hiddenPredicates, scopePredicates, windows } from "./scope.js";
