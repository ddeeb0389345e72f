/**
 * What a name's shape says about its kind. Kubernetes builds pod names from the owner's
 * name plus generated suffixes drawn from a vowel-free alphabet (so they never spell words),
 * and cloud providers build node names from fixed patterns. A word that matches none of
 * these is read as a workload or namespace by its position in the sentence.
 */
import { isK8sName } from "../model/k8s-name.js";

/** k8s.io/apimachinery rand.SafeEncodeString: no vowels, no 0/1/3, so no words and no look-alikes. */
const SAFE = "[bcdfghjklmnpqrstvwxz2456789]";
const BASE = "[a-z0-9](?:[-a-z0-9]*[a-z0-9])?";

/** Deployment pod: <name>-<ReplicaSet pod-template hash>-<5 random>. */
const REPLICASET_POD = new RegExp(`^(${BASE})-${SAFE}{6,10}-${SAFE}{5}$`);
/** DaemonSet / Job / bare ReplicaSet pod: <name>-<5 random>. */
const SUFFIXED_POD = new RegExp(`^(${BASE})-${SAFE}{5}$`);
/** StatefulSet pod: <name>-<ordinal>. */
const STATEFULSET_POD = new RegExp(`^(${BASE})-(0|[1-9]\\d{0,3})$`);

const AKS_NODE = /^aks-[a-z0-9]+-\d+-(?:vmss[0-9a-z]{6}|\d+)$/;
const EKS_NODE = /^ip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}(?:\.[a-z0-9-]+)*$/;
const GKE_NODE = /^gke-[a-z0-9-]+-[0-9a-f]{8}-[a-z0-9]{4}$/;

export function isNodeShaped(name: string): boolean {
  return isK8sName(name) && (AKS_NODE.test(name) || EKS_NODE.test(name) || GKE_NODE.test(name));
}

/**
 * The owner part of a pod-shaped name ("api" for api-5d8c7b9f4-qx2lm), or null when the
 * name is not pod-shaped. `isWord` rejects "top-10" and friends, whose base is a plain word.
 */
export function podOwner(name: string, isWord: (w: string) => boolean = () => false): string | null {
  if (!isK8sName(name) || name.includes(".") || isNodeShaped(name)) return null;
  const m = REPLICASET_POD.exec(name) ?? SUFFIXED_POD.exec(name) ?? STATEFULSET_POD.exec(name);
  if (!m) return null;
  const base = m[1]!;
  if (!/[a-z]/.test(base) || isWord(base)) return null;
  return base;
}

export function isPodShaped(name: string, isWord?: (w: string) => boolean): boolean {
  return podOwner(name, isWord) !== null;
}
