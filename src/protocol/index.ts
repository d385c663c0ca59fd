// The wire protocol, browser-safe: types, request validation, codes, labels, limits and the model table
// import nothing of Node (a test checks it). The Node-only reply writer and message decoding are in ./node/.

export * from "./codes.js";
export * from "./labels.js";
export * from "./endpoint.js";
export * from "./limits.js";
export * from "./models.js";
export * from "./request.js";
export * from "./types.js";
export * from "./asyncapi.js";
