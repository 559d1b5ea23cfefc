import { randomInt } from 'node:crypto';

/**
 * A small deterministic PRNG (mulberry32): a campaign prints its seed, and
 * KMIGRATE_SEED=<seed> replays exactly the same kill moments.
 */
export class SeededRandom {
  #state: number;
  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** The seed from KMIGRATE_SEED, or a fresh random one. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): SeededRandom {
    const raw = env.KMIGRATE_SEED;
    if (raw !== undefined && raw !== '') {
      const seed = Number(raw);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
        throw new Error(`KMIGRATE_SEED must be a whole number from 0 to 4294967295, got ${raw}`);
      return new SeededRandom(seed);
    }
    return new SeededRandom(randomInt(0, 0xffffffff));
  }
}
