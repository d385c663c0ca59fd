// The "mixed" scenario: every installed model's messages interleaved (the first 16 of each), then 4 bad
// frames that must each get an error reply without reaching a model. With one model, one frame in five
// is refused.

import { isReady, skip, type Catalog, type Skipped } from "./catalog.js";
import type { Frame } from "./load.js";
import { compose, type Plan } from "./plan.js";

export const MIXED = "mixed";

const PER_MODEL = 16;

/** Malformed or refused frames (E0100, E0101 ×2, E0201), naming `model` where a frame names one. */
export function badFrames(model: string): Frame[] {
  const bad = (text: string): Frame => ({ bytes: Buffer.from(text, "utf8"), expect: "error" });
  const models = { [model]: {} };
  return [
    bad('{"data": "unterminated'),
    bad(JSON.stringify({ data: "hello there", raw_text: true, models, bogus: 1 })),
    bad(JSON.stringify({ data: "hello there", rawText: true, models })),
    bad(JSON.stringify({ data: "%%% not base64 %%%", models })),
  ];
}

export function mixedPlan(catalog: Catalog): Plan | Skipped {
  const ready = catalog.entries.filter(isReady);
  if (ready.length === 0) return skip("no installed model has a benchmark", catalog);
  const plan = compose(ready, PER_MODEL);
  return {
    ...plan,
    frames: [...plan.frames, ...badFrames(plan.models[0]!)],
    inputs: {
      ...plan.inputs,
      bad: "4 malformed or refused frames (E0100, E0101 x2, E0201)",
      model_only: "the models alone on the model frames only (bad frames reach no model)",
    },
  };
}
