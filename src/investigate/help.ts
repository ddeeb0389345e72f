/** What netrca answers, in the words people use; shown for "help" and unrecognised questions. */
export const HELP = [
  "I find the root cause of Kubernetes network trouble from flow logs (ACNS Container Network Logs, Retina, Cilium Hubble). Ask, for example:",
  "• DNS: \"why is dns failing for checkout in namespace shop?\", \"SERVFAIL from coredns since 14:10\"",
  "• Drops: \"frontend can't talk to kapinger-bad\", \"policy drops in namespace default\"",
  "• Traffic: \"is traffic balanced across the search pods?\", \"who is sending RST packets in pets?\", \"top talkers in default\"",
  "• Health: \"how is the cluster network doing?\", \"drops on node aks-nodepool1-27013129-vmss000001\"",
  "• L7: \"http 403 errors in namespace pets over the last 45 minutes\", \"latency between store-front and product-service\"",
  "• Anything: \"what's wrong in namespace shop?\" runs every check and ranks what it finds.",
  "• Explained: begin with explain (\"explain the drops in default\"), or answer why? in a reply's thread, for a model's short explanation of the findings, checked against the evidence (when a model is configured).",
  "Scope with ns:NAME, -n NAME or namespace/workload; time with \"last 30m\", \"since 14:10\", \"between 13:00 and 14:00\", \"yesterday\" (UTC unless NETRCA_TZ is set).",
].join("\n");
