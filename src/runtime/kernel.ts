// The contract between the worker pool and a model's compute code, which runs inside a worker thread (or,
// with a kernel's inlineWhenIdle, on the calling thread).

export interface KernelOptions {
  /** ONNX intra-op threads for this kernel in this worker. */
  intraOpThreads: number;
  /** The model's own settings (KernelSpec.settings), structured-cloned into every worker. */
  settings?: Readonly<Record<string, unknown>>;
}

/** A kernel answers batches: one output per input, in order. */
export interface Kernel<I, O> {
  load(options: KernelOptions): Promise<void>;
  run(batch: I[]): Promise<O[]>;
}

/**
 * A kernel module's default export. The worker imports the module by URL, so the module must be a
 * real file (not a closure) and its inputs and outputs must survive structured cloning.
 */
export type KernelFactory<I, O> = () => Kernel<I, O>;

/** Imports a kernel module by URL and loads its kernel: in a worker, or on the pool's own thread. */
export async function loadKernel<I, O>(url: string, options: KernelOptions): Promise<Kernel<I, O>> {
  const module = (await import(url)) as { default: KernelFactory<I, O> };
  const kernel = module.default();
  await kernel.load(options);
  return kernel;
}
