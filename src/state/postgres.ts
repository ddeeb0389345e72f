/**
 * Shared state in PostgreSQL (NETRCA_STATE_URL=postgres://…) for two or more replicas: the chat
 * state (events and requests seen, thread questions), Teams conversation references, and the
 * alert state with its outbox. Work is claimed with row locks (FOR UPDATE SKIP LOCKED) and a
 * lease, so exactly one replica handles each notice and posts each message, and a replica that
 * dies mid-way leaves its claim to expire for another.
 */
import type { Pool, PoolClient } from "pg";
import type { Question } from "../model/index.js";
import type { AlertNotice } from "../surfaces/alerts/payloads.js";
import type { ChatState } from "./chat.js";
import type { AlertStore, GroupRow, OutboxRow, PendingNotice } from "./alerts.js";

/** How long a claim holds: longer than an investigation or a post takes. */
const LEASE_SECONDS = 120;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS netrca_seen (kind TEXT NOT NULL, key TEXT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS netrca_threads (key TEXT PRIMARY KEY, question JSONB NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS netrca_conversations (id TEXT PRIMARY KEY, ref JSONB NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS netrca_notices (seq BIGSERIAL PRIMARY KEY, received TIMESTAMPTZ NOT NULL DEFAULT now(), source TEXT NOT NULL, key TEXT NOT NULL, notice TEXT NOT NULL, done BOOLEAN NOT NULL DEFAULT false, outcome TEXT, claimed_until TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS netrca_alert_groups (key TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, channel TEXT NOT NULL, ts TEXT, started_at TEXT NOT NULL, resolved_at TEXT, top TEXT, alerts TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS netrca_outbox (id BIGSERIAL PRIMARY KEY, key TEXT NOT NULL, channel TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at TIMESTAMPTZ NOT NULL DEFAULT now(), done BOOLEAN NOT NULL DEFAULT false, error TEXT, claimed_until TIMESTAMPTZ);
CREATE INDEX IF NOT EXISTS netrca_outbox_pending ON netrca_outbox (key, id) WHERE NOT done;
CREATE INDEX IF NOT EXISTS netrca_notices_pending ON netrca_notices (key, seq) WHERE NOT done;
`;

/** The shared state cannot be opened: a setting to fix, said in one line. */
export class SharedStateError extends Error {
  override name = "SharedStateError";
}

export class PgState implements AlertStore {
  private inserts = 0;
  private constructor(private readonly pool: Pool, readonly shown: string) {}

  static async open(url: string): Promise<PgState> {
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 10_000 });
    // The URL without its password, for messages.
    const shown = url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
    pool.on("error", () => undefined); // an idle client's error: the next query reports it
    try {
      const c = await pool.connect();
      try {
        // Replicas starting together create the tables once.
        await c.query("SELECT pg_advisory_lock(7206117)");
        try {
          await c.query(SCHEMA);
        } finally {
          await c.query("SELECT pg_advisory_unlock(7206117)");
        }
      } finally {
        c.release();
      }
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw new SharedStateError(`NETRCA_STATE_URL: cannot open the shared state at ${shown}: ${(e as Error).message.split("\n")[0]}`);
    }
    return new PgState(pool, shown);
  }

  private async rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  private async tx<T>(f: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query("BEGIN");
      const r = await f(c);
      await c.query("COMMIT");
      return r;
    } catch (e) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  // ---- chat state ------------------------------------------------------------------

  readonly chat: ChatState = {
    first: async (kind, key) => {
      const r = await this.rows(`INSERT INTO netrca_seen (kind, key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING key`, [kind, key]);
      // Now and then, forget what is a day old: Slack retries within minutes.
      if (++this.inserts % 500 === 0) await this.rows(`DELETE FROM netrca_seen WHERE at < now() - interval '1 day'`);
      return r.length === 1;
    },
    thread: async (key) => {
      const r = await this.rows<{ question: Question }>(`SELECT question FROM netrca_threads WHERE key = $1`, [key]);
      return r[0]?.question;
    },
    setThread: async (key, q) => {
      await this.rows(`INSERT INTO netrca_threads (key, question) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET question = excluded.question, at = now()`, [key, JSON.stringify(q)]);
    },
  };

  /** Teams conversation references, shared so any replica can post an alert into a channel. */
  readonly conversations = {
    all: async () => (await this.rows<{ ref: Record<string, unknown> }>(`SELECT ref FROM netrca_conversations ORDER BY at`)).map((r) => r.ref),
    get: async (id: string) => (await this.rows<{ ref: Record<string, unknown> }>(`SELECT ref FROM netrca_conversations WHERE id = $1`, [id]))[0]?.ref,
    save: async (id: string, ref: Record<string, unknown>) => {
      await this.rows(`INSERT INTO netrca_conversations (id, ref) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET ref = excluded.ref, at = now()`, [id, JSON.stringify(ref)]);
    },
  };

  // ---- alert state -----------------------------------------------------------------

  async record(n: AlertNotice): Promise<number> {
    const r = await this.rows<{ seq: string }>(`INSERT INTO netrca_notices (source, key, notice) VALUES ($1, $2, $3) RETURNING seq`, [n.source, n.key, JSON.stringify(n)]);
    return Number(r[0]!.seq);
  }

  /** The oldest notice no replica holds, and none of whose group's earlier notices is pending: claimed. */
  async nextNotice(): Promise<PendingNotice | null> {
    const r = await this.rows<{ seq: string; notice: string }>(`
      UPDATE netrca_notices SET claimed_until = now() + make_interval(secs => $1) WHERE seq = (
        SELECT n.seq FROM netrca_notices n
        WHERE NOT n.done AND (n.claimed_until IS NULL OR n.claimed_until < now())
          AND NOT EXISTS (SELECT 1 FROM netrca_notices p WHERE NOT p.done AND p.key = n.key AND p.seq < n.seq)
        ORDER BY n.seq FOR UPDATE SKIP LOCKED LIMIT 1)
      RETURNING seq, notice`, [LEASE_SECONDS]);
    return r[0] ? { seq: Number(r[0].seq), notice: JSON.parse(r[0].notice) as AlertNotice } : null;
  }

  async group(key: string): Promise<GroupRow | null> {
    const g = (await this.rows<Record<string, string | null>>(`SELECT key, name, status, channel, ts, started_at, resolved_at, top, alerts FROM netrca_alert_groups WHERE key = $1`, [key]))[0];
    return g ? { key: g.key!, name: g.name!, status: g.status as GroupRow["status"], channel: g.channel!, ts: g.ts ?? null, startedAt: g.started_at!, resolvedAt: g.resolved_at ?? null, top: g.top ?? null, alerts: JSON.parse(g.alerts!) as string[] } : null;
  }

  async settle(seq: number, outcome: string, items: { group: Omit<GroupRow, "ts">; posts: { kind: OutboxRow["kind"]; channel: string; payload: Record<string, unknown> }[] }[]): Promise<void> {
    await this.tx(async (c) => {
      // Settled once: a replica whose claim expired and was taken over finds it done.
      const mine = await c.query(`UPDATE netrca_notices SET done = true, outcome = $1, claimed_until = NULL WHERE seq = $2 AND NOT done RETURNING seq`, [outcome, seq]);
      if (mine.rowCount === 0) return;
      for (const { group, posts } of items) {
        await c.query(
          `INSERT INTO netrca_alert_groups (key, name, status, channel, started_at, resolved_at, top, alerts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (key) DO UPDATE SET name = excluded.name, status = excluded.status, channel = excluded.channel, started_at = excluded.started_at, resolved_at = excluded.resolved_at, top = excluded.top, alerts = excluded.alerts`,
          [group.key, group.name, group.status, group.channel, group.startedAt, group.resolvedAt, group.top, JSON.stringify(group.alerts)],
        );
        for (const p of posts) await c.query(`INSERT INTO netrca_outbox (key, channel, kind, payload) VALUES ($1, $2, $3, $4)`, [group.key, p.channel, p.kind, JSON.stringify(p.payload)]);
      }
    });
  }

  /** Due posts, claimed for this replica: row locks and a lease, first in each thread only. */
  async due(): Promise<(OutboxRow & { parentTs: string | null })[]> {
    const r = await this.rows<Record<string, string | number | null>>(`
      WITH claimed AS (
        UPDATE netrca_outbox SET claimed_until = now() + make_interval(secs => $1) WHERE id IN (
          SELECT o.id FROM netrca_outbox o
          WHERE NOT o.done AND o.next_at <= now() AND (o.claimed_until IS NULL OR o.claimed_until < now())
            AND NOT EXISTS (SELECT 1 FROM netrca_outbox p WHERE NOT p.done AND p.key = o.key AND p.id < o.id)
          ORDER BY o.id FOR UPDATE SKIP LOCKED LIMIT 50)
        RETURNING id, key, channel, kind, payload, attempts)
      SELECT c.*, g.ts FROM claimed c LEFT JOIN netrca_alert_groups g ON g.key = c.key ORDER BY c.id`, [LEASE_SECONDS]);
    return r.map((x) => ({ id: Number(x.id), key: String(x.key), channel: String(x.channel), kind: x.kind as OutboxRow["kind"], payload: JSON.parse(String(x.payload)) as Record<string, unknown>, attempts: Number(x.attempts), parentTs: (x.ts as string | null) ?? null }));
  }

  async delivered(id: number, key: string, ts: string | null): Promise<void> {
    await this.tx(async (c) => {
      await c.query(`UPDATE netrca_outbox SET done = true, error = NULL, claimed_until = NULL WHERE id = $1`, [id]);
      if (ts) await c.query(`UPDATE netrca_alert_groups SET ts = $1 WHERE key = $2`, [ts, key]);
    });
  }

  async failed(id: number, error: string, delaySeconds: number | null): Promise<void> {
    if (delaySeconds === null) await this.rows(`UPDATE netrca_outbox SET done = true, error = $1, attempts = attempts + 1, claimed_until = NULL WHERE id = $2`, [error, id]);
    else await this.rows(`UPDATE netrca_outbox SET error = $1, attempts = attempts + 1, claimed_until = NULL, next_at = now() + make_interval(secs => $2) WHERE id = $3`, [error, delaySeconds, id]);
  }

  async nextDueIn(): Promise<number | null> {
    const r = await this.rows<{ ms: string | null }>(`SELECT (extract(epoch FROM min(greatest(next_at, coalesce(claimed_until, next_at))) - now()) * 1000)::BIGINT AS ms FROM netrca_outbox WHERE NOT done`);
    const v = r[0]?.ms;
    return v === null || v === undefined ? null : Math.max(0, Number(v));
  }

  async stats(): Promise<{ received: number; pendingNotices: number; pendingPosts: number; failedPosts: number }> {
    const r = (await this.rows<Record<string, string>>(`SELECT (SELECT count(*) FROM netrca_notices) a, (SELECT count(*) FROM netrca_notices WHERE NOT done) b, (SELECT count(*) FROM netrca_outbox WHERE NOT done) c, (SELECT count(*) FROM netrca_outbox WHERE done AND error IS NOT NULL) d`))[0]!;
    return { received: Number(r.a), pendingNotices: Number(r.b), pendingPosts: Number(r.c), failedPosts: Number(r.d) };
  }

  /** The store answers (for /readyz). */
  async ping(): Promise<void> {
    await this.rows("SELECT 1");
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
