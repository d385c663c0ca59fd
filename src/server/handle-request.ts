// Turns one client frame into exactly one reply: validate, detect media, decode once, run models.

import { performance } from "node:perf_hooks";
import { decodedBytes, decodeMedia, MediaError, readPayload } from "../media/index.js";
import type { DecodedMedia, DecodeNeeds, VideoFrame } from "../media/types.js";
import { ModelRegistry } from "../models/registry.js";
import type { ConfigFor, FrameFeed } from "../models/types.js";
import { KernelError, KernelTimeoutError } from "../runtime/worker-pool.js";
import {
  ErrorCode,
  parseRequest,
  type ErrorReply,
  type Limits,
  type ModelName,
  type ModelOutput,
  type PredictionsReply,
  type StreamReply,
  type StreamRequest,
} from "../protocol/index.js";
import type { ConnectionSession } from "../session/session.js";
import type { Logger } from "./log.js";
import type { InFlightBudget } from "./in-flight-budget.js";
import type { ServerMetrics } from "./metrics.js";

export interface RequestContext {
  registry: ModelRegistry;
  session: ConnectionSession;
  limits: Limits;
  metrics: ServerMetrics;
  /** Decoded media counts against it while the models run. */
  budget: InFlightBudget;
  log: Logger;
}

function errorReply(code: string, message: string, request?: Pick<StreamRequest, "payload_id" | "job_details">, jobId?: string): ErrorReply {
  const reply: ErrorReply = { error: message, code };
  if (request?.payload_id !== undefined) reply.payload_id = request.payload_id;
  if (request?.job_details === true && jobId !== undefined) reply.job_details = { job_id: jobId };
  return reply;
}

/** Echoes that every reply to a valid request carries. */
function baseReply(request: StreamRequest, jobId: string): PredictionsReply {
  const reply: PredictionsReply = {};
  if (request.payload_id !== undefined) reply.payload_id = request.payload_id;
  if (request.job_details) reply.job_details = { job_id: jobId };
  return reply;
}

export async function handleFrame(frame: string, context: RequestContext): Promise<StreamReply> {
  const parsed = parseRequest(frame);
  if (!parsed.ok) {
    return errorReply(parsed.code, parsed.message, parsed.payload_id === undefined ? undefined : { payload_id: parsed.payload_id, job_details: false });
  }
  return handleRequest(parsed.request, context);
}

export async function handleRequest(request: StreamRequest, context: RequestContext): Promise<StreamReply> {
  const { registry, session, limits } = context;
  if (request.reset_stream) session.resetStream();
  const reply = baseReply(request, session.jobId);
  if (request.data === undefined) return reply;

  const requested = ModelRegistry.requested(request);
  const failure = registry.checkEnabled(requested);
  if (failure !== undefined) return errorReply(failure.code, failure.message, request, session.jobId);

  let media: DecodedMedia;
  let needs: DecodeNeeds;
  let feeds = new Map<ModelName, FrameFeed>();
  try {
    const payload = readPayload(request.data, request.raw_text, limits);
    const mismatch = registry.checkMedia(requested, payload.kind);
    if (mismatch !== undefined) return errorReply(mismatch.code, mismatch.message, request, session.jobId);
    needs = registry.decodeNeeds(request, requested);
    if (payload.kind === "video") feeds = registry.frameFeeds(request, requested);
    const onFrame = (frame: VideoFrame): void => feeds.forEach((feed) => feed.add(frame));
    media = await decodeMedia(payload, needs, limits, feeds.size === 0 ? {} : { onFrame });
    // A container sniffed as video may turn out to hold only audio; check the models again.
    const decodedMismatch = media.kind === payload.kind ? undefined : registry.checkMedia(requested, media.kind);
    if (decodedMismatch !== undefined) return errorReply(decodedMismatch.code, decodedMismatch.message, request, session.jobId);
  } catch (error) {
    if (error instanceof MediaError) return errorReply(error.code, error.message, request, session.jobId);
    throw error;
  }

  const predictContext = session.predictContext(media, needs, request.stream_window_ms);
  const held = decodedBytes(media);
  context.budget.charge(held);
  try {
    const outputs = await Promise.all(
      requested.map(async (name): Promise<[ModelName, ModelOutput]> => {
        const model = registry.get(name)!;
        const started = performance.now();
        context.metrics.modelInFlight.inc({ model: name });
        try {
          const output = await model.predict(media, request.models[name] as ConfigFor<typeof name>, predictContext, feeds.get(name));
          context.metrics.modelLatency.observe({ model: name }, (performance.now() - started) / 1000);
          return [name, output];
        } finally {
          context.metrics.modelInFlight.dec({ model: name });
        }
      }),
    );
    for (const [name, output] of outputs) (reply as Record<string, unknown>)[name] = output;
    return reply;
  } catch (error) {
    if (error instanceof KernelTimeoutError) {
      context.log.warn("model_timeout", { models: requested, message: error.message });
      return errorReply(ErrorCode.InternalTimeout, `Internal error: ${error.message}.`, request, session.jobId);
    }
    if (error instanceof KernelError) {
      context.log.error("model_failed", { models: requested, message: error.message });
      return errorReply(ErrorCode.Internal, `Internal error while running a model: ${error.message}.`, request, session.jobId);
    }
    throw error;
  } finally {
    context.budget.release(held);
  }
}
