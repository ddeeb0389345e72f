import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ConversationReference } from "botbuilder";

/**
 * Where the bot has been used, so later features (incident summaries) can post there with
 * continueConversationAsync. Kept in a JSON file in netrca's state directory: the flow store
 * may be read-only (the demo) or in memory (--flows), and this must outlive a restart.
 */
/** Where replicas share the references instead (PostgreSQL). */
export interface SharedConversations {
  all(): Promise<Record<string, unknown>[]>;
  get(id: string): Promise<Record<string, unknown> | undefined>;
  save(id: string, ref: Record<string, unknown>): Promise<void>;
}

export class ConversationStore {
  private refs = new Map<string, Partial<ConversationReference>>();
  private loaded = false;
  private writing: Promise<void> = Promise.resolve();
  readonly file: string;

  constructor(dir: string, private readonly shared?: SharedConversations) {
    this.file = join(dir, "teams-conversations.json");
  }

  async all(): Promise<Partial<ConversationReference>[]> {
    if (this.shared) return (await this.shared.all()) as Partial<ConversationReference>[];
    await this.load();
    return [...this.refs.values()];
  }

  async get(conversationId: string): Promise<Partial<ConversationReference> | undefined> {
    if (this.shared) return (await this.shared.get(conversationId)) as Partial<ConversationReference> | undefined;
    await this.load();
    return this.refs.get(conversationId);
  }

  async save(ref: Partial<ConversationReference>): Promise<void> {
    const id = ref.conversation?.id;
    if (!id) return;
    if (this.shared) return this.shared.save(id, ref as Record<string, unknown>);
    await this.load();
    this.refs.set(id, ref);
    // One write at a time, each replacing the file whole (write, then rename).
    this.writing = this.writing.then(async () => {
      await mkdir(join(this.file, ".."), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify([...this.refs.values()], null, 2));
      await rename(tmp, this.file);
    });
    await this.writing;
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    try {
      const list = JSON.parse(await readFile(this.file, "utf8")) as Partial<ConversationReference>[];
      for (const r of list) if (r.conversation?.id) this.refs.set(r.conversation.id, r);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`${this.file}: cannot read conversation references: ${(e as Error).message}`);
    }
  }
}
