import assert from "node:assert/strict";
import { it } from "node:test";
import { messageText } from "./message-text.js";

it("reads a message's text from a Buffer, an ArrayBuffer and fragments alike", () => {
  const text = '{"data":"héllo 😀"}';
  const bytes = Buffer.from(text, "utf8");
  const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  assert.equal(messageText(bytes), text);
  assert.equal(messageText(arrayBuffer), text);
  assert.equal(messageText([bytes.subarray(0, 11), bytes.subarray(11)]), text); // split inside "😀"
  assert.equal(messageText(Buffer.alloc(0)), "");
});
