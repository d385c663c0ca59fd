// Face identities across frames and payloads of one connection (spec §2.1 identify_faces). An
// embedding joins the closest known identity when their cosine similarity reaches the model's
// threshold; otherwise it becomes a new identity. Ids are never reused: when the cache is full the
// identity seen longest ago is forgotten, and a face like it later gets a new id. `reset_stream` does not
// clear this cache (spec §1.3).

import type { FaceIdentityCache, IdentifyOptions } from "./types.js";

interface Identity {
  centroid: Float32Array;
  lastSeen: number;
}

/** Weight of a new sighting in an identity's running centroid. */
const CENTROID_RATE = 0.2;

export class FaceIdentities implements FaceIdentityCache {
  private readonly identities = new Map<string, Identity>();
  private nextId = 0;
  private clock = 0;

  constructor(private readonly maxIdentities = 256) {}

  identify(embedding: Float32Array, options: IdentifyOptions): string {
    const unit = normalise(embedding);
    let best: string | undefined;
    let bestSimilarity = -Infinity;
    for (const [id, identity] of this.identities) {
      if (options.exclude?.has(id) === true) continue;
      const similarity = dot(identity.centroid, unit);
      if (similarity > bestSimilarity) {
        bestSimilarity = similarity;
        best = id;
      }
    }
    if (best !== undefined && bestSimilarity >= options.minSimilarity) {
      this.observe(best, unit);
      return best;
    }
    if (this.identities.size >= this.maxIdentities) this.forgetOldest();
    const id = `face_${this.nextId++}`;
    this.identities.set(id, { centroid: unit, lastSeen: ++this.clock });
    return id;
  }

  observe(id: string, embedding: Float32Array): void {
    const identity = this.identities.get(id);
    if (identity === undefined) return;
    const unit = normalise(embedding);
    identity.centroid = normalise(identity.centroid.map((c, i) => (1 - CENTROID_RATE) * c + CENTROID_RATE * (unit[i] ?? 0)));
    identity.lastSeen = ++this.clock;
  }

  get size(): number {
    return this.identities.size;
  }

  private forgetOldest(): void {
    let oldest: string | undefined;
    let oldestSeen = Infinity;
    for (const [id, { lastSeen }] of this.identities) {
      if (lastSeen < oldestSeen) {
        oldestSeen = lastSeen;
        oldest = id;
      }
    }
    if (oldest !== undefined) this.identities.delete(oldest);
  }
}

/** Dot product (cosine similarity for unit-length vectors). */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) sum += a[i]! * b[i]!;
  return sum;
}

function normalise(v: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(v, v)) || 1;
  return v.map((x) => x / norm);
}
