// The Node-only half of the protocol: the reply writer (UTF-8 bytes into a Buffer, with labels' bytes
// cached) and the decoding of messages as `ws` delivers them. Everything in ../index.ts stays free of
// Node, so a web page can import the wire types, validation, codes, labels and limits.

export * from "./message-text.js";
export * from "./scores.js";
export * from "./serialize.js";
