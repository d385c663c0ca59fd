// What the facemesh model sends its kernel and gets back (structured-cloned between threads).

export interface FacemeshKernelInput {
  /** The payload's faces, each 478 × (x, y, z) flattened, as sent (pixels or normalised). */
  faces: Float32Array[];
}

export interface FacemeshKernelOutput {
  /** Per face, the 48 expressions (EXPRESSION_LABELS order). */
  expressions: Float32Array[];
}
