/** What netrca answers, in the words people use; shown for "help" and unrecognised questions. */
export const HELP = [
  "I find the root cause of Kubernetes network trouble from flow logs (ACNS Container Network Logs, Retina, Cilium Hubble). Ask, for example:",
  "• DNS: \"why is dns failing for checkout in namespace shop?\", \"NXDOMAIN errors in ns web since 14:10\"",
  "• Drops: \"frontend can't talk to backend in shop\", \"policy drops for pod kapinger-bad-6659b89fd8-zjb9k\"",
  "• Traffic: \"is traffic balanced across the search pods?\", \"who is sending RST packets to rabbitmq-0?\", \"top talkers in default\"",
  "• Health: \"how is the cluster network doing?\", \"drops on node aks-nodepool1-27013129-vmss000001\"",
  "• L7: \"5xx errors from payments in shop\", \"http 403 errors in namespace pets over the last 45 minutes\"",
  "• Anything: \"what's wrong in namespace shop?\" runs every check and ranks what it finds.",
  "Scope with ns:NAME, -n NAME or namespace/workload; time with \"last 30m\", \"since 14:10\", \"between 13:00 and 14:00\", \"yesterday\" (UTC unless NETRCA_TZ is set).",
].join("\n");
