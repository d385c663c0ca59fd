// A radix-2 FFT of real frames: the one transform the audio front end's spectra and pitch share.

export class RealFft {
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly reversed: Uint32Array;
  private readonly even: Float64Array;

  constructor(readonly size: number) {
    if (!Number.isInteger(Math.log2(size)) || size < 2) throw new RangeError(`FFT size must be a power of two, got ${size}`);
    this.re = new Float64Array(size);
    this.im = new Float64Array(size);
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let k = 0; k < size / 2; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    const bits = Math.log2(size);
    this.even = new Float64Array(size);
    this.reversed = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.reversed[i] = r;
    }
  }

  /**
   * |X[k]|² for k = 0 … size/2 of `input` (zero-padded to `size`, optionally times `window`), into `out`
   * (size/2 + 1 values).
   */
  power(input: ArrayLike<number>, out: Float32Array, window?: ArrayLike<number>): Float32Array {
    this.transform(input, window);
    for (let k = 0; k <= this.size / 2; k++) out[k] = this.re[k]! * this.re[k]! + this.im[k]! * this.im[k]!;
    return out;
  }

  /**
   * The power spectra of two frames from one complex transform (`a` as its real part, `b` as its
   * imaginary part, separated by the symmetry of real signals' spectra): half the work of two `power` calls.
   */
  powerPair(a: ArrayLike<number>, b: ArrayLike<number>, outA: Float32Array, outB: Float32Array, window?: ArrayLike<number>): void {
    const { re, im, size } = this;
    this.load(a, re, window);
    this.load(b, im, window);
    this.butterflies();
    for (let k = 0; k <= size / 2; k++) {
      const j = (size - k) % size;
      const ar = re[k]! + re[j]!, ai = im[k]! - im[j]!;
      const br = im[k]! + im[j]!, bi = re[k]! - re[j]!;
      outA[k] = (ar * ar + ai * ai) / 4;
      outB[k] = (br * br + bi * bi) / 4;
    }
  }

  /** The real part of the inverse transform of a real, even spectrum given as size/2 + 1 values. */
  inverseEven(half: ArrayLike<number>, out: Float64Array): Float64Array {
    this.transform(this.evenSpectrum(half));
    for (let i = 0; i < this.size; i++) out[i] = this.re[i]! / this.size;
    return out;
  }

  /**
   * `inverseEven` of two spectra from one transform: a real even spectrum transforms to a real sequence, so
   * with `a` as the real part and `b` as the imaginary part the two results come out as the real and
   * imaginary parts.
   */
  inverseEvenPair(a: ArrayLike<number>, b: ArrayLike<number>, outA: Float64Array, outB: Float64Array): void {
    this.load(this.evenSpectrum(a), this.re);
    this.load(this.evenSpectrum(b), this.im);
    this.butterflies();
    for (let i = 0; i < this.size; i++) {
      outA[i] = this.re[i]! / this.size;
      outB[i] = this.im[i]! / this.size;
    }
  }

  /** The full spectrum (size values) of a real even one given as size/2 + 1 values, in a scratch array. */
  private evenSpectrum(half: ArrayLike<number>): Float64Array {
    const n = this.size;
    const full = this.even;
    for (let k = 0; k <= n / 2; k++) full[k] = half[k]!;
    for (let k = n / 2 + 1; k < n; k++) full[k] = half[n - k]!;
    return full;
  }

  private transform(input: ArrayLike<number>, window?: ArrayLike<number>): void {
    this.load(input, this.re, window);
    this.im.fill(0);
    this.butterflies();
  }

  /** `input` (times `window`, zero-padded) into `into` in bit-reversed order (a permutation: every slot written). */
  private load(input: ArrayLike<number>, into: Float64Array, window?: ArrayLike<number>): void {
    const { reversed, size } = this;
    if (input.length < size) into.fill(0);
    const length = Math.min(size, input.length);
    for (let i = 0; i < length; i++) into[reversed[i]!] = window === undefined ? input[i]! : input[i]! * window[i]!;
  }

  private butterflies(): void {
    const { re, im, size } = this;
    for (let span = 1; span < size; span *= 2) {
      const step = size / (2 * span);
      for (let start = 0; start < size; start += 2 * span) {
        for (let k = 0; k < span; k++) {
          const a = start + k;
          const b = a + span;
          const c = this.cos[k * step]!, s = this.sin[k * step]!;
          const tr = re[b]! * c - im[b]! * s;
          const ti = re[b]! * s + im[b]! * c;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
    }
  }
}

/** A periodic Hann window of `length` samples. */
export function hann(length: number): Float32Array {
  const window = new Float32Array(length);
  for (let i = 0; i < length; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / length);
  return window;
}
