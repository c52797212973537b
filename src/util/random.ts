/**
 * Seeded pseudo-random numbers for everything in reprune that must be reproducible
 * (data shuffling, weight init, dropout masks, random baselines, test matrices).
 * Generator: xoshiro128** (fast, 2^128−1 period, good statistical quality), state seeded by splitmix32
 * so nearby seeds (0, 1, 2, …) give unrelated streams. Same seed ⇒ same sequence on every platform.
 */

/** splitmix32 step: turns any 32-bit seed into well-mixed state words. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class SeededRng {
  private s = new Uint32Array(4);
  private spare: number | null = null; // second Box–Muller value

  constructor(seed = 0) {
    let x = seed >>> 0;
    // Mix in the high part so seeds beyond 2^32 (e.g. Date.now()) still matter.
    x = (x ^ Math.floor(seed / 4294967296)) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      this.s[i] = splitmix32(x);
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1; // all-zero state is a fixed point
  }

  /** Next raw 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Normal sample (Box–Muller; the pair's second value is cached). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    const u1 = 1 - this.next(); // (0, 1]: log is finite
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return mean + std * r * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling). n must be in [1, 2^32]. */
  int(n: number): number {
    if (!(n >= 1 && n <= 4294967296 && Number.isInteger(n))) throw new Error(`SeededRng.int: bad range ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % n;
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Fisher–Yates shuffle, in place; returns the same array. */
  shuffle<T, A extends { length: number; [i: number]: T }>(arr: A): A {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /** A random permutation of 0..n−1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** Fill with N(mean, std²) samples (Float32Array for weights, Float64Array for linear algebra). */
  fillNormal<A extends Float32Array | Float64Array>(arr: A, mean = 0, std = 1): A {
    for (let i = 0; i < arr.length; i++) arr[i] = this.normal(mean, std);
    return arr;
  }

  /** Fill with U[lo, hi) samples. */
  fillUniform<A extends Float32Array | Float64Array>(arr: A, lo = 0, hi = 1): A {
    for (let i = 0; i < arr.length; i++) arr[i] = this.uniform(lo, hi);
    return arr;
  }

  /** An independent generator derived from this one (e.g. one stream per layer or per worker). */
  fork(): SeededRng {
    const child = new SeededRng(0);
    for (let i = 0; i < 4; i++) child.s[i] = splitmix32(this.nextU32() ^ (i * 0x632be5ab));
    if ((child.s[0] | child.s[1] | child.s[2] | child.s[3]) === 0) child.s[0] = 1;
    return child;
  }

  /** Snapshot of the full state (for checkpoints); restore with setState. */
  getState(): number[] {
    return [...this.s, this.spare === null ? NaN : this.spare];
  }

  setState(state: number[]): void {
    if (state.length !== 5) throw new Error(`SeededRng.setState: expected 5 numbers, got ${state.length}`);
    for (let i = 0; i < 4; i++) this.s[i] = state[i] >>> 0;
    this.spare = Number.isNaN(state[4]) ? null : state[4];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Shorthand: `rng(42).normal()`. */
export function rng(seed = 0): SeededRng {
  return new SeededRng(seed);
}
