// The Helm chart (rendered by test/support/helm-lite.ts: helm is not packaged here) and the Dockerfile.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../src/config/file.js";
import { renderChart } from "./support/helm-lite.js";
import { tempDir } from "./support/tmp.js";

const CHART = join(import.meta.dirname, "../deploy/helm/netrca");
const dir = tempDir();
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const manifests = (over: Obj = {}) => renderChart(CHART, over).flatMap((f) => f.docs) as Obj[];
const kind = (docs: Obj[], k: string) => docs.find((d) => d.kind === k)!;

describe("the Helm chart", () => {
  const docs = manifests({ workloadIdentity: { clientId: "11111111-2222-3333-4444-555555555555" }, logAnalytics: { workspaceId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" }, prometheus: { url: "https://amw-prod.westeurope.prometheus.monitor.azure.com" }, env: { NETRCA_TZ: "Europe/Berlin" } });

  it("renders a Deployment, a Service, a ServiceAccount and a ConfigMap", () => {
    expect(docs.map((d) => d.kind).sort()).toEqual(["ConfigMap", "Deployment", "Service", "ServiceAccount"]);
    expect(manifests({ kube: { enabled: true } }).map((d) => d.kind).sort()).toEqual(["ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Service", "ServiceAccount"]);
  });

  it("runs as non-root on a read-only root filesystem, nothing escalates, every capability dropped", () => {
    const pod = kind(docs, "Deployment").spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } });
    const c = pod.containers[0];
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    // What it writes goes to emptyDirs: /tmp (charts) and the state folder.
    expect(c.volumeMounts.map((m: Obj) => m.mountPath).sort()).toEqual(["/etc/netrca", "/tmp", "/var/lib/netrca"]);
    expect(c.env).toContainEqual({ name: "NETRCA_STATE_DIR", value: "/var/lib/netrca" });
  });

  it("probes /readyz for readiness and /healthz for liveness on the named port; asks for resources", () => {
    const c = kind(docs, "Deployment").spec.template.spec.containers[0];
    expect(c.ports).toEqual([{ name: "http", containerPort: 3000 }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(c.resources.requests).toEqual({ cpu: "250m", memory: "512Mi" });
    expect(kind(docs, "Service").spec.ports[0]).toMatchObject({ targetPort: "http" });
  });

  it("uses Azure Workload Identity for Log Analytics and managed Prometheus: no secret for them", () => {
    const sa = kind(docs, "ServiceAccount");
    expect(sa.metadata.annotations).toEqual({ "azure.workload.identity/client-id": "11111111-2222-3333-4444-555555555555" });
    const tpl = kind(docs, "Deployment").spec.template;
    expect(tpl.metadata.labels["azure.workload.identity/use"]).toBe("true");
    expect(tpl.spec.serviceAccountName).toBe(sa.metadata.name);
    const env = tpl.spec.containers[0].env as { name: string; value: string }[];
    expect(env).toContainEqual({ name: "LOG_ANALYTICS_WORKSPACE_ID", value: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" });
    expect(env).toContainEqual({ name: "PROMETHEUS_URL", value: "https://amw-prod.westeurope.prometheus.monitor.azure.com" });
    expect(env).toContainEqual({ name: "NETRCA_TZ", value: "Europe/Berlin" });
  });

  it("NETRCA_KUBE: a read-only ClusterRole for the policies, bound to the ServiceAccount, and the token mounted only then", () => {
    expect(docs.some((d) => d.kind === "ClusterRole")).toBe(false);
    expect(kind(docs, "Deployment").spec.template.spec.automountServiceAccountToken).toBe(false);
    const on = manifests({ kube: { enabled: true } });
    const role = kind(on, "ClusterRole");
    expect(role.rules.flatMap((r: Obj) => r.verbs)).toEqual(["list", "watch", "list", "watch"]);
    expect(role.rules.flatMap((r: Obj) => r.resources).sort()).toEqual(["ciliumclusterwidenetworkpolicies", "ciliumnetworkpolicies", "networkpolicies"]);
    expect(kind(on, "ClusterRoleBinding").subjects).toEqual([{ kind: "ServiceAccount", name: "netrca", namespace: "netrca" }]);
    const pod = kind(on, "Deployment").spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.containers[0].env).toContainEqual({ name: "NETRCA_KUBE", value: "on" });
  });

  it("holds no secret value: credentials come from a Secret by reference", () => {
    const c = kind(docs, "Deployment").spec.template.spec.containers[0];
    expect(c.envFrom).toEqual([{ secretRef: { name: "netrca", optional: true } }]);
    for (const e of c.env as { name: string; value?: string }[]) expect(e.name).not.toMatch(/TOKEN|SECRET|PASSWORD|API_KEY/);
    expect(docs.some((d) => d.kind === "Secret")).toBe(false);
    const text = renderChart(CHART).map((f) => f.text).join("\n");
    expect(text).not.toMatch(/xoxb-|xapp-|sk-[A-Za-z0-9]/);
  });

  it("its ConfigMap is a configuration file netrca accepts", async () => {
    const cm = kind(manifests({ config: { access: { default: [], slack: { C0SHOP: ["shop", "shop-*"] } }, alerts: { routes: [{ match: { namespace: "shop" }, slack: "C0SHOP" }], default: { slack: "C0INC" } }, explain: "on" } }), "ConfigMap");
    const file = join(dir, "netrca.yaml");
    writeFileSync(file, cm.data["netrca.yaml"]);
    const cfg = await loadConfigFile(file);
    expect(cfg.access?.slack).toEqual({ C0SHOP: ["shop", "shop-*"] });
    expect(cfg.alerts.default).toEqual({ slack: "C0INC" });
    expect(cfg.explain).toBe(true);
    expect(kind(manifests(), "Deployment").spec.template.spec.containers[0].args).toEqual(["serve", "--config", "/etc/netrca/netrca.yaml"]);
  });
});

describe("the Dockerfile", () => {
  const text = readFileSync(join(import.meta.dirname, "../Dockerfile"), "utf8");
  it("is multi-stage on Node 20 slim, installs production dependencies only, and runs as a non-root user", () => {
    expect(text.match(/^FROM node:20-slim/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/npm ci --omit=dev/);
    const stages = text.split(/^FROM /m);
    const final = stages.at(-1)!;
    expect(final).toMatch(/^USER 10001:10001$/m);
    expect(final).toMatch(/COPY --from=deps \/app\/node_modules/);
    expect(final).not.toMatch(/COPY \. \./);
    expect(final).toMatch(/ENTRYPOINT \["node", "bin\/netrca\.js"\]/);
    // What the running service reads: the compiled code, the playbooks and the prompt.
    for (const d of ["dist", "bin", "playbooks", "prompts"]) expect(final).toMatch(new RegExp(`COPY (--from=build /app/)?${d} \\./${d}`));
  });
});
