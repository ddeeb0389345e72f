import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { duckdb } from "../sources/embedded/duckdb.js";
import type { AlertNotice } from "../surfaces/alerts/payloads.js";

/**
 * Alert state in an embedded DuckDB file under the state folder: every notice received (recorded
 * before the webhook is answered), one row per alert group (its route, its parent message, what
 * was last said), and the outbox of posts not yet delivered. A committed row survives a crash,
 * so nothing accepted is lost and nothing delivered is sent again.
 */
export interface GroupRow {
  key: string;
  name: string;
  status: "firing" | "resolved";
  channel: string;
  /** The parent message's ts, once posted. */
  ts: string | null;
  startedAt: string;
  resolvedAt: string | null;
  /** What the parent says is the cause (kind|subject|reason), to tell a change. */
  top: string | null;
  /** Alert ids already told about. */
  alerts: string[];
}

export interface OutboxRow {
  id: number;
  key: string;
  channel: string;
  /** post: the group's parent; reply: into its thread; update: edit the parent; upload: a chart into the thread. */
  kind: "post" | "reply" | "update" | "upload";
  payload: Record<string, unknown>;
  attempts: number;
}

export interface PendingNotice {
  seq: number;
  notice: AlertNotice;
}

const SCHEMA = [
  `CREATE SEQUENCE IF NOT EXISTS notice_seq`,
  `CREATE TABLE IF NOT EXISTS notices (seq BIGINT PRIMARY KEY DEFAULT nextval('notice_seq'), received TIMESTAMP NOT NULL, source VARCHAR NOT NULL, key VARCHAR NOT NULL, notice VARCHAR NOT NULL, done BOOLEAN NOT NULL DEFAULT false, outcome VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS alert_groups (key VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, status VARCHAR NOT NULL, channel VARCHAR NOT NULL, ts VARCHAR, started_at VARCHAR NOT NULL, resolved_at VARCHAR, top VARCHAR, alerts VARCHAR NOT NULL DEFAULT '[]')`,
  `CREATE SEQUENCE IF NOT EXISTS outbox_seq`,
  `CREATE TABLE IF NOT EXISTS outbox (id BIGINT PRIMARY KEY DEFAULT nextval('outbox_seq'), key VARCHAR NOT NULL, channel VARCHAR NOT NULL, kind VARCHAR NOT NULL, payload VARCHAR NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at TIMESTAMP NOT NULL, done BOOLEAN NOT NULL DEFAULT false, error VARCHAR)`,
];

/** The alert state the alert surface needs: embedded (below) or shared (postgres.ts). */
export interface AlertStore {
  record(n: AlertNotice): Promise<number>;
  nextNotice(): Promise<PendingNotice | null>;
  group(key: string): Promise<GroupRow | null>;
  settle(seq: number, outcome: string, items: { group: Omit<GroupRow, "ts">; posts: { kind: OutboxRow["kind"]; channel: string; payload: Record<string, unknown> }[] }[]): Promise<void>;
  due(): Promise<(OutboxRow & { parentTs: string | null })[]>;
  delivered(id: number, key: string, ts: string | null): Promise<void>;
  failed(id: number, error: string, delaySeconds: number | null): Promise<void>;
  nextDueIn(): Promise<number | null>;
  stats(): Promise<{ received: number; pendingNotices: number; pendingPosts: number; failedPosts: number }>;
  close(): Promise<void>;
}

export class AlertState implements AlertStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly instance: DuckDBInstance, private readonly conn: DuckDBConnection, readonly file: string) {}

  static async open(dir: string): Promise<AlertState> {
    await mkdir(dir, { recursive: true });
    const file = join(dir, "alerts.duckdb");
    let instance: DuckDBInstance;
    try {
      instance = await duckdb.DuckDBInstance.create(file);
    } catch (e) {
      throw new Error(`cannot open the alert state ${file}: ${(e as Error).message.split("\n")[0]} (is another netrca serve using NETRCA_STATE_DIR=${dir}?)`);
    }
    const conn = await instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    for (const sql of SCHEMA) await conn.run(sql);
    return new AlertState(instance, conn, file);
  }

  /** One statement or transaction at a time on the one connection. */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f, f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async rows(sql: string, params: unknown[] = []): Promise<unknown[][]> {
    const r = await this.conn.runAndReadAll(sql, params as never);
    return r.getRows() as unknown[][];
  }

  /** Record a notice (committed before the webhook is answered). */
  record(n: AlertNotice): Promise<number> {
    return this.serial(async () => {
      const r = await this.rows(`INSERT INTO notices (received, source, key, notice) VALUES (now()::TIMESTAMP, ?, ?, ?) RETURNING seq`, [n.source, n.key, JSON.stringify(n)]);
      return Number(r[0]![0]);
    });
  }

  nextNotice(): Promise<PendingNotice | null> {
    return this.serial(async () => {
      const r = await this.rows(`SELECT seq, notice FROM notices WHERE NOT done ORDER BY seq LIMIT 1`);
      return r[0] ? { seq: Number(r[0][0]), notice: JSON.parse(String(r[0][1])) as AlertNotice } : null;
    });
  }

  group(key: string): Promise<GroupRow | null> {
    return this.serial(async () => {
      const r = await this.rows(`SELECT key, name, status, channel, ts, started_at, resolved_at, top, alerts FROM alert_groups WHERE key = ?`, [key]);
      const g = r[0];
      return g ? { key: String(g[0]), name: String(g[1]), status: g[2] as GroupRow["status"], channel: String(g[3]), ts: (g[4] as string | null) ?? null, startedAt: String(g[5]), resolvedAt: (g[6] as string | null) ?? null, top: (g[7] as string | null) ?? null, alerts: JSON.parse(String(g[8])) as string[] } : null;
    });
  }

  /**
   * A notice handled: the group's new state and the posts it needs, in one transaction with
   * the notice marked done, so a crash either does all of it or none.
   */
  settle(seq: number, outcome: string, items: { group: Omit<GroupRow, "ts">; posts: { kind: OutboxRow["kind"]; channel: string; payload: Record<string, unknown> }[] }[]): Promise<void> {
    return this.serial(async () => {
      await this.conn.run("BEGIN TRANSACTION");
      try {
        for (const { group, posts } of items) {
          await this.conn.run(
            `INSERT INTO alert_groups (key, name, status, channel, started_at, resolved_at, top, alerts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name, status = excluded.status, channel = excluded.channel, started_at = excluded.started_at, resolved_at = excluded.resolved_at, top = excluded.top, alerts = excluded.alerts`,
            [group.key, group.name, group.status, group.channel, group.startedAt, group.resolvedAt, group.top, JSON.stringify(group.alerts)] as never,
          );
          for (const p of posts) {
            await this.conn.run(`INSERT INTO outbox (key, channel, kind, payload, next_at) VALUES (?, ?, ?, ?, now()::TIMESTAMP)`, [group.key, p.channel, p.kind, JSON.stringify(p.payload)] as never);
          }
        }
        await this.conn.run(`UPDATE notices SET done = true, outcome = ? WHERE seq = ?`, [outcome, seq] as never);
        await this.conn.run("COMMIT");
      } catch (e) {
        await this.conn.run("ROLLBACK");
        throw e;
      }
    });
  }

  /**
   * Posts due now, oldest first; a thread's reply waits for its parent (no ts yet), and a
   * channel's next post waits for the one before it, so a thread reads in order.
   */
  due(): Promise<(OutboxRow & { parentTs: string | null })[]> {
    return this.serial(async () => {
      const r = await this.rows(`
        SELECT o.id, o.key, o.channel, o.kind, o.payload, o.attempts, g.ts FROM outbox o LEFT JOIN alert_groups g ON g.key = o.key
        WHERE NOT o.done AND o.next_at <= now()::TIMESTAMP
          AND NOT EXISTS (SELECT 1 FROM outbox p WHERE NOT p.done AND p.key = o.key AND p.id < o.id)
        ORDER BY o.id LIMIT 50`);
      return r.map((x) => ({ id: Number(x[0]), key: String(x[1]), channel: String(x[2]), kind: x[3] as OutboxRow["kind"], payload: JSON.parse(String(x[4])) as Record<string, unknown>, attempts: Number(x[5]), parentTs: (x[6] as string | null) ?? null }));
    });
  }

  /** Delivered: a parent's ts is kept on its group. */
  delivered(id: number, key: string, ts: string | null): Promise<void> {
    return this.serial(async () => {
      await this.conn.run("BEGIN TRANSACTION");
      await this.conn.run(`UPDATE outbox SET done = true, error = NULL WHERE id = ?`, [id] as never);
      if (ts) await this.conn.run(`UPDATE alert_groups SET ts = ? WHERE key = ?`, [ts, key] as never);
      await this.conn.run("COMMIT");
    });
  }

  /** Not delivered: try again after `delaySeconds`, or give up (done, with the error kept). */
  failed(id: number, error: string, delaySeconds: number | null): Promise<void> {
    return this.serial(async () => {
      if (delaySeconds === null) await this.conn.run(`UPDATE outbox SET done = true, error = ?, attempts = attempts + 1 WHERE id = ?`, [error, id] as never);
      else await this.conn.run(`UPDATE outbox SET error = ?, attempts = attempts + 1, next_at = now()::TIMESTAMP + to_milliseconds(?::BIGINT) WHERE id = ?`, [error, Math.round(delaySeconds * 1000), id] as never);
    });
  }

  /** When the next post falls due (ms from now), or null when nothing waits. */
  nextDueIn(): Promise<number | null> {
    return this.serial(async () => {
      const r = await this.rows(`SELECT epoch_ms(min(next_at)) - epoch_ms(now()::TIMESTAMP) FROM outbox WHERE NOT done`);
      const v = r[0]?.[0];
      return v === null || v === undefined ? null : Math.max(0, Number(v));
    });
  }

  /** Counts for /healthz. */
  stats(): Promise<{ received: number; pendingNotices: number; pendingPosts: number; failedPosts: number }> {
    return this.serial(async () => {
      const r = await this.rows(`SELECT (SELECT count(*) FROM notices), (SELECT count(*) FROM notices WHERE NOT done), (SELECT count(*) FROM outbox WHERE NOT done), (SELECT count(*) FROM outbox WHERE done AND error IS NOT NULL)`);
      return { received: Number(r[0]![0]), pendingNotices: Number(r[0]![1]), pendingPosts: Number(r[0]![2]), failedPosts: Number(r[0]![3]) };
    });
  }

  async close(): Promise<void> {
    await this.queue;
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
