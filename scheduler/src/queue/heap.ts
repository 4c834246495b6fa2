/** A binary heap with keyed access, so queued items can be updated or removed (upstream internal/heap). */
export class Heap<T> {
  private readonly items: T[] = [];
  private readonly index = new Map<string, number>();
  private readonly keyFn: (t: T) => string;
  private readonly less: (a: T, b: T) => boolean;

  constructor(keyFn: (t: T) => string, less: (a: T, b: T) => boolean) {
    this.keyFn = keyFn;
    this.less = less;
  }

  get length(): number {
    return this.items.length;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get(key: string): T | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.items[i];
  }

  /** Adds or replaces (by key) and restores order. */
  addOrUpdate(item: T): void {
    const key = this.keyFn(item);
    const i = this.index.get(key);
    if (i !== undefined) {
      this.items[i] = item;
      this.fix(i);
      return;
    }
    this.items.push(item);
    this.index.set(key, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  delete(key: string): T | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const item = this.items[i];
    const last = this.items.length - 1;
    if (i !== last) this.swap(i, last);
    this.items.pop();
    this.index.delete(key);
    if (i < this.items.length) this.fix(i);
    return item;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    return this.delete(this.keyFn(this.items[0]));
  }

  list(): T[] {
    return [...this.items];
  }

  private fix(i: number): void {
    if (!this.up(i)) this.down(i);
  }

  private up(i: number): boolean {
    let moved = false;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(this.items[i], this.items[p])) break;
      this.swap(i, p);
      i = p;
      moved = true;
    }
    return moved;
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      let m = l;
      const r = l + 1;
      if (r < n && this.less(this.items[r], this.items[l])) m = r;
      if (!this.less(this.items[m], this.items[i])) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const t = this.items[a];
    this.items[a] = this.items[b];
    this.items[b] = t;
    this.index.set(this.keyFn(this.items[a]), a);
    this.index.set(this.keyFn(this.items[b]), b);
  }
}
