// What crosses between the burst model (main thread) and its kernel (a worker thread).

export interface BurstKernelInput {
  /** The stream's audio window, 16 kHz mono. */
  samples: Float32Array;
}

export interface BurstKernelEvent {
  /** Seconds from the start of the window. */
  begin: number;
  end: number;
  /** The 48 expressions, EXPRESSION_LABELS order. */
  expressions: Float32Array;
}

export interface BurstKernelOutput {
  events: BurstKernelEvent[];
}
