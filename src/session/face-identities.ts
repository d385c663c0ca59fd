// Face identities across frames and payloads of one connection (spec §2.1 identify_faces).
// An embedding joins the closest known identity when cosine similarity passes the threshold;
// otherwise it becomes a new identity. `reset_stream` does not clear this cache (spec §1.3).

import type { FaceIdentityCache } from "./types.js";

export class FaceIdentities implements FaceIdentityCache {
  private readonly centroids: Float32Array[] = [];

  constructor(
    private readonly similarityThreshold = 0.6,
    private readonly maxIdentities = 256,
  ) {}

  identify(embedding: Float32Array): string {
    const unit = normalise(embedding);
    let best = -1;
    let bestSimilarity = -Infinity;
    this.centroids.forEach((centroid, index) => {
      const similarity = dot(centroid, unit);
      if (similarity > bestSimilarity) {
        bestSimilarity = similarity;
        best = index;
      }
    });
    if (best >= 0 && (bestSimilarity >= this.similarityThreshold || this.centroids.length >= this.maxIdentities)) {
      const centroid = this.centroids[best]!;
      for (let i = 0; i < centroid.length; i++) centroid[i] = 0.9 * centroid[i]! + 0.1 * (unit[i] ?? 0);
      this.centroids[best] = normalise(centroid);
      return `face_${best}`;
    }
    this.centroids.push(unit);
    return `face_${this.centroids.length - 1}`;
  }

  get size(): number {
    return this.centroids.length;
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) sum += a[i]! * b[i]!;
  return sum;
}

function normalise(v: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(v, v)) || 1;
  return v.map((x) => x / norm);
}
