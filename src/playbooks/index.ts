export { loadPlaybooks, parsePlaybook, PlaybookError, PLAYBOOK_DIR, type Playbooks } from "./load.js";
export { Check, ChartPlan, Playbook, ScopeMode } from "./schema.js";
export { scopePredicates, windows } from "./scope.js";
