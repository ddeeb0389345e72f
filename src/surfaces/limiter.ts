/**
 * Runs at most `limit` jobs at once and queues the rest in arrival order. The machine has two
 * cores: a hundred questions at once would each take a hundred times longer and hold their
 * rows in memory meanwhile; queued, each is answered in turn and the ack can say so.
 */
export class Limiter {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  /** How many jobs a new one would wait behind. */
  waiting(): number {
    return Math.max(0, this.running + this.queue.length - this.limit + 1);
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    // A finished job hands its slot straight to the next in line, so none can slip in between.
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running++;
    try {
      return await job();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}
