// Fuzz-only stand-ins for models whose weights are not installed, so hostile media still travels the
// whole path (sniffing, sharp, WAV parsing, ffmpeg) instead of stopping at E0103. They do no inference
// and are never shipped: only src/fuzz uses them.

import type { DecodedMedia } from "../media/types.js";
import type { ExpressionModel, ModelFactory } from "../models/types.js";
import type { MediaKind, ModelName, ModelOutput } from "../protocol/index.js";

export const STUB_ACCEPTS: Readonly<Record<ModelName, readonly MediaKind[]>> = {
  burst: ["audio", "video"],
  face: ["image", "video"],
  facemesh: ["facemesh"],
  language: ["text"],
  prosody: ["audio", "video"],
};

function output(name: ModelName, media: DecodedMedia): ModelOutput {
  switch (name) {
    case "face":
      return { warning: "No faces detected.", code: "W0103" };
    case "facemesh":
      return media.kind === "facemesh" ? { predictions: media.faces.map(() => ({ emotions: [] })) } : { warning: "No facemeshes detected.", code: "W0102" };
    case "language":
      return media.kind === "text" && /\p{L}/u.test(media.text)
        ? { predictions: [{ text: media.text.slice(0, 16), position: { begin: 0, end: Math.min(16, media.text.length) }, emotions: [] }] }
        : { warning: "No emotional language detected.", code: "W0104" };
    case "burst":
      return { warning: "No vocal bursts detected.", code: "W0101" };
    case "prosody":
      return { warning: "No speech detected.", code: "W0105" };
  }
}

export function stubFactory<N extends ModelName>(name: N): ModelFactory<N> {
  const accepts = STUB_ACCEPTS[name];
  return {
    name,
    accepts,
    isInstalled: () => true,
    create: (): ExpressionModel<N> => ({
      name,
      load: async () => {},
      predict: async (media) => output(name, media) as never,
      close: async () => {},
    }),
  };
}

/** `real` factories whose weights are installed, plus stubs for every other model name. */
export function withStubs(real: readonly ModelFactory[], names: readonly ModelName[]): { factories: ModelFactory[]; stubbed: ModelName[] } {
  const factories: ModelFactory[] = [];
  const stubbed: ModelName[] = [];
  for (const name of names) {
    const factory = real.find((f) => f.name === name && f.isInstalled());
    if (factory !== undefined) factories.push(factory);
    else {
      factories.push(stubFactory(name) as ModelFactory);
      stubbed.push(name);
    }
  }
  return { factories, stubbed };
}
