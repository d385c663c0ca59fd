// One colour per expression, the same in every view. Hues step by the golden angle so labels next to each
// other in the alphabet still differ. Lines at 32 % lightness keep ≥ 3:1 against white (WCAG AA for
// graphics); tints at 88 % keep dark text on them above 4.5:1.

import { LANGUAGE_EMOTION_LABELS } from "../protocol/index.js";

// The 53 language labels include the 48 expressions of face, prosody and bursts.
const HUES: ReadonlyMap<string, number> = new Map(LANGUAGE_EMOTION_LABELS.map((label, i) => [label, Math.round((i * 137.508) % 360)]));

const hue = (label: string): number => HUES.get(label) ?? 0;

export const lineColor = (label: string): string => `hsl(${hue(label)} 75% 32%)`;
export const tintColor = (label: string): string => `hsl(${hue(label)} 85% 88%)`;
