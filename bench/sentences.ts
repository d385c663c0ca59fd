// Twenty-word English sentences for the text benchmarks: 8 templates (varied tone, punctuation and
// vocabulary) × 8 fillers of their one slot = 64 distinct sentences. Distinct inputs keep the model's
// outputs, and so the numbers the server formats, from repeating too often (V8 caches number→string
// conversions, which would flatter a benchmark that sends the same few sentences over and over).

const TEMPLATES: readonly string[] = [
  "I honestly cannot believe how {} the concert was last night, and I would happily go again next week too.",
  "The train was late again this morning, so I missed the meeting and my manager was really {} with me.",
  "She smiled nervously before the interview, hoping her years of {} work would finally be noticed by the hiring panel.",
  "This is the most {} customer service I have ever experienced, and I am never ordering anything from them again.",
  "We spent a quiet afternoon by the lake, reading old letters and remembering the {} summers we shared as children.",
  "Thank you so much for the thoughtful gift; it made my birthday feel special after such a long, {} week.",
  "I am worried that the storm will damage the roof, because the repairs last year cost us far too {}.",
  "You are a complete idiot if you think anyone will believe that {} story about losing your maths homework again.",
];

const FILLERS: readonly (readonly string[])[] = [
  ["wonderful", "terrible", "loud", "moving", "boring", "magical", "chaotic", "beautiful"],
  ["annoyed", "disappointed", "angry", "understanding", "furious", "calm", "upset", "patient"],
  ["hard", "quiet", "careful", "lonely", "brilliant", "tedious", "honest", "creative"],
  ["rude", "helpful", "frustrating", "pleasant", "useless", "surprising", "disgusting", "friendly"],
  ["long", "happy", "golden", "rainy", "carefree", "lazy", "wild", "precious"],
  ["tiring", "stressful", "lonely", "exhausting", "miserable", "hectic", "gloomy", "difficult"],
  ["much", "little", "painful", "ridiculous", "scary", "unexpected", "annoying", "shocking"],
  ["ridiculous", "sad", "pathetic", "silly", "tragic", "stupid", "funny", "unbelievable"],
];

/** Interleaved so that consecutive requests use different templates. */
export const SENTENCES: readonly string[] = FILLERS[0]!.flatMap((_, f) => TEMPLATES.map((template, t) => template.replace("{}", FILLERS[t]![f]!)));

export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /\p{L}|\p{N}/u.test(w)).length;
}
