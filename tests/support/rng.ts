// The tests' one seeded PRNG (mulberry32): same seed, same sequence, on every platform, so a failing fuzz
// frame or randomized case can be replayed from its seed. The fuzz corpus depends on it bit for bit.

/** Uniform in [0, 1). */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
