// Library entry: start a server programmatically.
export { startServer, type RunningServer, type StartOptions } from "./server/server.js";
export { STREAM_PATH } from "./protocol/index.js";
export { defaultConfig, parseServeArgs, type ServerConfig } from "./server/config.js";
export type { ExpressionModel, ModelFactory } from "./models/types.js";
