import { describe, expect, it } from "vitest";
import { brokenCommand } from "./commands.js";

describe("brokenCommand tells a step that runs from one that does not", () => {
  it.each([
    "watch it live: hubble observe --from-pod pets/rabbitmq-0 --tcp-flags RST --follow",
    "look at the pod: kubectl -n pets describe pod/rabbitmq-0 && kubectl -n pets logs pod/rabbitmq-0 --since=30m",
    "how loaded the server is: kubectl -n kube-system top pod -l k8s-app=kube-dns",
    "watch it live: hubble observe --verdict DROPPED --to-label reserved:world --from-pod shop/web --follow",
    "nothing to fix: lower the lookups with a trailing dot on external names (FQDN) or ndots:2 in the pod's dnsConfig",
  ])("runs: %s", (step) => expect(brokenCommand(step)).toBeNull());
  it.each([
    "kubectl -n default top pod -l app=",
    "hubble observe --namespace default --from-pod  --follow",
    "kubectl -n default logs deploy/ --since=30m",
    "kubectl -n kube-system exec <cilium pod on node-1> -- cilium-dbg bpf ct list global",
    "watch it live: hubble observe --to-pod default/ --follow",
    "kubectl -n undefined get networkpolicy",
    "hubble observe --from-pod --follow",
    "watch it live: hubble observe --node aks-nodepool1-27013129-vmss000001 --verdict DROPPED --follow",
    "hubble observe --namespace pets --protocol http --from-pod pets/product-service --follow",
  ])("does not run: %s", (step) => expect(brokenCommand(step)).not.toBeNull());
});
