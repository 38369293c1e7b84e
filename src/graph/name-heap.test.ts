import { describe, expect, it } from 'vitest';
import { NameHeap } from './name-heap.js';

describe('NameHeap', () => {
  it('pops names in the order Array.prototype.sort gives, whatever the pushes', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const names = Array.from({ length: 500 }, () => `m${Math.floor(rnd() * 300)}${rnd() < 0.2 ? 'Ä' : ''}`);
    const heap = new NameHeap();
    const popped: string[] = [];
    // Interleaved, as the topological order does: push some, pop one.
    for (const [i, n] of names.entries()) {
      heap.push(n);
      if (i % 3 === 2) popped.push(heap.pop()!);
    }
    while (heap.size) popped.push(heap.pop()!);
    expect(popped).toHaveLength(names.length);
    expect([...popped].sort()).toEqual([...names].sort());
    // Each pop was the smallest present at the time: after the interleaved phase, sorted.
    const tail = popped.slice(Math.floor(names.length / 3));
    expect(tail).toEqual([...tail].sort());
  });
});
