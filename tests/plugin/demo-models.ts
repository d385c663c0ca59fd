// Two models plugged in the way a model issue adds one: a folder with a factory, listed beside the
// shipped factories, and nothing else touched (src/server, src/session and bench/ stay as they are).
// Stand-ins for face and prosody: they run real onnxruntime sessions (tiny graphs from the runtime
// tests) on the decoded image and on the connection's audio window, through the shared worker pool.
// Test-only; the numbers they return are a brightness and an energy, not expressions.

import { NO_DECODE_NEEDS } from "../../src/media/types.js";
import type { ModelFactory } from "../../src/models/types.js";
import type { AudioInput, ImageInput, MediaOutput } from "../../src/runtime/fixtures/media-kernels.js";

const IMAGE_KERNEL = new URL("../../src/runtime/fixtures/image-kernel.js", import.meta.url).href;
const AUDIO_KERNEL = new URL("../../src/runtime/fixtures/audio-kernel.js", import.meta.url).href;

export const brightnessFace: ModelFactory<"face"> = {
  name: "face",
  needs: (config) => ({ ...NO_DECODE_NEEDS, frameRate: config.fps_pred }),
  isInstalled: () => true,
  create(options) {
    const kernel = options.pool.add<ImageInput, MediaOutput>({ url: IMAGE_KERNEL, weight: (input) => Math.ceil(input.pixels.length / 1_000_000) });
    return {
      name: "face",
      load: async () => {},
      async predict(media) {
        if (media.kind !== "image") return { predictions: [] };
        // A copy the kernel may own: the decoded image stays intact for other models of the request.
        const pixels = media.image.data.slice();
        const { value } = await kernel.run({ pixels }, [pixels.buffer]);
        return { predictions: [{ emotions: [{ name: "Brightness", score: value / 255 }] }] } as never;
      },
      close: async () => {},
    };
  },
};

export const energyProsody: ModelFactory<"prosody"> = {
  name: "prosody",
  needs: () => ({ frameRate: undefined, audio: true, audioWindow: true }),
  isInstalled: () => true,
  create(options) {
    const kernel = options.pool.add<AudioInput, MediaOutput>({ url: AUDIO_KERNEL });
    return {
      name: "prosody",
      load: async () => {},
      async predict(_media, _config, context) {
        const window = context.audioWindow!;
        const { value } = await kernel.run({ samples: window.samples });
        const end = window.startTime + window.samples.length / 16_000;
        return { predictions: [{ time: { begin: window.startTime, end }, emotions: [{ name: "Energy", score: value }] }] };
      },
      close: async () => {},
    };
  },
};
