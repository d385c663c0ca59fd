export * from "./codes.js";
export * from "./labels.js";
export * from "./limits.js";
export * from "./request.js";
export * from "./types.js";
export * from "./scores.js";
export * from "./serialize.js";
export * from "./message-text.js";
