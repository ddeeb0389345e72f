/**
 * Conversations: the sequences of flows one TCP connection, one HTTP exchange or one
 * dropped connection attempt leaves in Hubble, with plausible timing.
 */
import type { Peer, Pod } from "./cluster.js";
import type { Emit } from "./engine.js";
import { type DropReasonName, drop, httpRequest, httpResponse, trace } from "./hubble.js";
import type { PolicyRef, TcpFlagName, TrafficDirection } from "./hubble-types.js";
import type { Rng } from "./random.js";
import { NS_PER_MS, NS_PER_S } from "./clock.js";

const US = 1000;

export function ephemeralPort(rng: Rng): number {
  return rng.between(32768, 60999);
}

/** Round-trip time between two peers: same node, across nodes, or to the internet. */
export function rttNs(rng: Rng, a: Peer, b: Peer): number {
  if (a.kind === "world" || b.kind === "world") return Math.round(rng.logNormal(12 * NS_PER_MS, 0.4));
  if (a.node && a.node === b.node) return Math.round(rng.logNormal(70 * US, 0.3));
  return Math.round(rng.logNormal(420 * US, 0.3));
}

/**
 * One TCP connection from `client` to `server`. Every flow it emits carries `mark` as its
 * truth index (-1: background), except where a method takes an explicit truth.
 */
export class Connection {
  readonly rtt: number;
  readonly sport: number;

  constructor(
    private readonly out: Emit,
    private readonly rng: Rng,
    readonly client: Peer,
    readonly server: Peer,
    readonly dport: number,
    private readonly mark = -1,
  ) {
    this.rtt = rttNs(rng, client, server);
    this.sport = ephemeralPort(rng);
  }

  private toServer(t: number, flags: TcpFlagName[], truth = this.mark): void {
    const reason = flags.includes("SYN") ? "NEW" : "ESTABLISHED";
    this.out(t, trace(this.client, this.server, { proto: "TCP", sport: this.sport, dport: this.dport, flags }, false, reason), truth);
  }

  private toClient(t: number, flags: TcpFlagName[], truth = this.mark): void {
    this.out(t, trace(this.server, this.client, { proto: "TCP", sport: this.dport, dport: this.sport, flags }, true, "REPLY"), truth);
  }

  /** SYN, SYN-ACK; returns when the client can send. */
  open(t: number): number {
    this.toServer(t, ["SYN"]);
    this.toClient(t + this.rtt, ["SYN", "ACK"]);
    return t + this.rtt + this.gap();
  }

  /** One request/answer of a non-HTTP protocol (AMQP, MongoDB, …): data both ways. */
  exchange(t: number, serverNs: number): number {
    this.toServer(t, ["PSH", "ACK"]);
    const half = Math.round(this.rtt / 2);
    const back = t + half + serverNs;
    this.toClient(back, ["PSH", "ACK"]);
    return back + half;
  }

  /** Orderly close, client first. */
  close(t: number): number {
    this.toServer(t, ["FIN", "ACK"]);
    this.toClient(t + this.rtt, ["FIN", "ACK"]);
    return t + this.rtt;
  }

  /** The server resets the connection (a bare RST, as a crashing or refusing peer sends). */
  resetByServer(t: number, truth = this.mark): void {
    this.toClient(t, ["RST"], truth);
  }

  /** The client aborts (ACK+RST), e.g. a timed-out request abandoned by the caller. */
  resetByClient(t: number): void {
    this.toServer(t, ["ACK", "RST"]);
  }

  /**
   * One HTTP request through the server's L7 proxy. `code` null: the policy denies it
   * (verdict DROPPED, no response flow). Returns when the client has the answer.
   */
  http(t: number, method: string, url: string, code: number | null, latencyNs: number, truth = this.mark): number {
    const server = this.server as Pod;
    if (code === null) {
      this.out(t, httpRequest(this.client, server, this.sport, method, url, "DROPPED"), truth);
      // Cilium's proxy answers 403 "Access denied" itself, quickly.
      return t + this.rtt + 300 * US;
    }
    this.out(t, httpRequest(this.client, server, this.sport, method, url), this.mark);
    this.out(t + latencyNs, httpResponse(this.client, server, this.sport, method, url, code, latencyNs), truth);
    return t + latencyNs + Math.round(this.rtt / 2);
  }

  /** A small pause between steps of one client (processing, think time). */
  gap(): number {
    return Math.round(this.rng.logNormal(150 * US, 0.8));
  }
}

/**
 * A connection attempt that a drop kills: the SYN and its retransmissions (Linux retries
 * after 1 s, then 2 s more, ...), `tries` flows in all, each carrying `truth`.
 */
export function droppedAttempt(
  out: Emit,
  rng: Rng,
  t: number,
  client: Peer,
  server: Peer,
  dport: number,
  reason: DropReasonName,
  direction: TrafficDirection,
  truth: number,
  tries: number,
  deniedBy?: PolicyRef[],
): void {
  const sport = ephemeralPort(rng);
  let at = t;
  for (let i = 0; i < tries; i++) {
    out(at, drop(client, server, { proto: "TCP", sport, dport, flags: ["SYN"] }, reason, direction, deniedBy), truth);
    at += (1 << i) * NS_PER_S + rng.int(2 * NS_PER_MS);
  }
}
