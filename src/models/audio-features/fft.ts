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

  /** The real part of the inverse transform of a real, even spectrum given as size/2 + 1 values. */
  inverseEven(half: ArrayLike<number>, out: Float64Array): Float64Array {
    const n = this.size;
    // For a real even spectrum the inverse is the forward transform divided by n.
    const full = this.even;
    for (let k = 0; k <= n / 2; k++) full[k] = half[k]!;
    for (let k = n / 2 + 1; k < n; k++) full[k] = half[n - k]!;
    this.transform(full);
    for (let i = 0; i < n; i++) out[i] = this.re[i]! / n;
    return out;
  }

  private transform(input: ArrayLike<number>, window?: ArrayLike<number>): void {
    const { re, im, reversed, size } = this;
    re.fill(0);
    im.fill(0);
    const length = Math.min(size, input.length);
    for (let i = 0; i < length; i++) re[reversed[i]!] = window === undefined ? input[i]! : input[i]! * window[i]!;
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
