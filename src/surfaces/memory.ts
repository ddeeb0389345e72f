/** A small map that forgets its oldest entries: thread context and seen event ids. */
export class Recent<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
  /** True the first time a key is seen. */
  first(key: string, value: V): boolean {
    if (this.map.has(key)) return false;
    this.set(key, value);
    return true;
  }
}
