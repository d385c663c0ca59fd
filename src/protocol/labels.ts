// Label lists of spec §6, in the alphabetical (case-sensitive ASCII) order Hume's outputs use.

/** The 48 expressions shared by face, prosody and vocal-burst models (spec §6.1). */
export const EXPRESSION_LABELS = [
  "Admiration", "Adoration", "Aesthetic Appreciation", "Amusement", "Anger", "Anxiety", "Awe",
  "Awkwardness", "Boredom", "Calmness", "Concentration", "Confusion", "Contemplation", "Contempt",
  "Contentment", "Craving", "Desire", "Determination", "Disappointment", "Disgust", "Distress",
  "Doubt", "Ecstasy", "Embarrassment", "Empathic Pain", "Entrancement", "Envy", "Excitement", "Fear",
  "Guilt", "Horror", "Interest", "Joy", "Love", "Nostalgia", "Pain", "Pride", "Realization", "Relief",
  "Romance", "Sadness", "Satisfaction", "Shame", "Surprise (negative)", "Surprise (positive)",
  "Sympathy", "Tiredness", "Triumph",
] as const;

/** The 53 emotional-language labels: the 48 plus five language-only ones (spec §6.2). */
export const LANGUAGE_EMOTION_LABELS = [
  "Admiration", "Adoration", "Aesthetic Appreciation", "Amusement", "Anger", "Annoyance", "Anxiety",
  "Awe", "Awkwardness", "Boredom", "Calmness", "Concentration", "Confusion", "Contemplation",
  "Contempt", "Contentment", "Craving", "Desire", "Determination", "Disappointment", "Disapproval",
  "Disgust", "Distress", "Doubt", "Ecstasy", "Embarrassment", "Empathic Pain", "Enthusiasm",
  "Entrancement", "Envy", "Excitement", "Fear", "Gratitude", "Guilt", "Horror", "Interest", "Joy",
  "Love", "Nostalgia", "Pain", "Pride", "Realization", "Relief", "Romance", "Sadness", "Sarcasm",
  "Satisfaction", "Shame", "Surprise (negative)", "Surprise (positive)", "Sympathy", "Tiredness",
  "Triumph",
] as const;

/** Sentiment levels "1" (negative) … "9" (positive) (spec §6.3). */
export const SENTIMENT_LABELS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"] as const;

/** Toxicity labels in documented order (spec §6.3). */
export const TOXICITY_LABELS = [
  "toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate",
] as const;

/** FACS 2.0 items for face `facs` (spec §6.5), numeric AU order. */
export const FACS_LABELS = [
  "AU1 Inner Brow Raise", "AU2 Outer Brow Raise", "AU4 Brow Lowerer", "AU5 Upper Lid Raise",
  "AU6 Cheek Raise", "AU7 Lids Tight", "AU9 Nose Wrinkle", "AU10 Upper Lip Raiser",
  "AU11 Nasolabial Furrow Deepener", "AU12 Lip Corner Puller", "AU14 Dimpler",
  "AU15 Lip Corner Depressor", "AU16 Lower Lip Depress", "AU17 Chin Raiser", "AU18 Lip Pucker",
  "AU19 Tongue Show", "AU20 Lip Stretch", "AU22 Lip Funneler", "AU23 Lip Tightener",
  "AU24 Lip Presser", "AU25 Lips Part", "AU26 Jaw Drop", "AU27 Mouth Stretch", "AU28 Lips Suck",
  "AU32 Bite", "AU34 Puff", "AU37 Lip Wipe", "AU38 Nostril Dilate", "AU43 Eye Closure",
  "AU53 Head Up", "AU54 Head Down", "Hand over Mouth", "Hand over Eyes", "Hand over Forehead",
  "Hand over Face", "Hand touching Face / Head",
] as const;

/** Face `descriptions` (spec §6.6). */
export const FACE_DESCRIPTION_LABELS = [
  "Beaming", "Biting lip", "Cheering", "Cringe", "Cry", "Eyes closed", "Face in hands", "Frown",
  "Gasp", "Glare", "Glaring", "Grimace", "Grin", "Jaw drop", "Laugh", "Licking lip", "Pout", "Scowl",
  "Smile", "Smirk", "Snarl", "Squint", "Sulking", "Tongue out", "Wide-eyed", "Wince", "Wrinkled nose",
] as const;

export type LanguageEmotion = (typeof LANGUAGE_EMOTION_LABELS)[number];
export type Expression = (typeof EXPRESSION_LABELS)[number];
