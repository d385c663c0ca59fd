// Library entry: start a server programmatically.
export { startServer, STREAM_PATH, type RunningServer, type StartOptions } from "./server/server.js";
export { defaultConfig, parseServeArgs, type ServerConfig } from "./server/config.js";
export type { ExpressionModel, ModelFactory } from "./models/types.js";
