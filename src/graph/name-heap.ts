// A min-heap of names: the topological order takes the smallest ready name each time, for a
// stable order. Re-sorting the ready list on every push was quadratic on wide graphs (5 s at
// 30,000 models); this is O(log n) per push and pop.
export class NameHeap {
  readonly #items: string[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(name: string): void {
    const a = this.#items;
    a.push(name);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= a[i]!) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }

  pop(): string | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && a[l]! < a[m]!) m = l;
      if (r < a.length && a[r]! < a[m]!) m = r;
      if (m === i) return top;
      [a[m], a[i]] = [a[i]!, a[m]!];
      i = m;
    }
  }
}
