export * from "./codes.js";
export * from "./labels.js";
export * from "./limits.js";
export * from "./request.js";
export * from "./types.js";
export * from "./serialize.js";
