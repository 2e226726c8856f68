// DataScript's "people" benchmark data, generated from a fixed seed so every run measures the same
// data: 20,000 people with a name from 8, a last name from 6, a full name, 0-9 aliases, sex, age
// 0-99 and salary 0-99,999; and follows-graphs for the recursive rule benchmark.

export interface Person {
  readonly id: number;
  readonly name: string;
  readonly lastName: string;
  readonly fullName: string;
  readonly aliases: readonly string[];
  readonly sex: 'male' | 'female';
  readonly age: number;
  readonly salary: number;
}

const NAMES = ['Ivan', 'Petr', 'Sergei', 'Oleg', 'Yuri', 'Dmitry', 'Fedor', 'Denis'];
const LAST_NAMES = ['Ivanov', 'Petrov', 'Sidorov', 'Kovalev', 'Kuznetsov', 'Voronoi'];

/** mulberry32: small, fast, deterministic. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function people(count: number, seed = 42): Person[] {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const name = pick(NAMES);
    const lastName = pick(LAST_NAMES);
    return {
      id: i + 1,
      name,
      lastName,
      fullName: `${name} ${lastName}`,
      aliases: [...new Set(Array.from({ length: Math.floor(rnd() * 10) }, () => pick(NAMES)))],
      sex: rnd() < 0.5 ? 'male' : 'female',
      age: Math.floor(rnd() * 100),
      salary: Math.floor(rnd() * 100000),
    };
  });
}

/** Edges [from, to] (1-based node numbers) of a tree `depth` levels deep where each node follows `width` others. */
export function wideGraph(depth: number, width: number): [number, number][] {
  const edges: [number, number][] = [];
  let next = 1;
  const grow = (node: number, level: number): void => {
    if (level >= depth) return;
    for (let i = 0; i < width; i++) {
      const child = ++next;
      edges.push([node, child]);
      grow(child, level + 1);
    }
  };
  grow(1, 0);
  return edges;
}

/** `width` separate chains of `depth` follows each. */
export function longGraph(depth: number, width: number): [number, number][] {
  const edges: [number, number][] = [];
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < depth; y++) edges.push([x * (depth + 1) + y + 1, x * (depth + 1) + y + 2]);
  }
  return edges;
}
