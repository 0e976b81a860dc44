// The packed objects of a websocket `snapshot` (cluster/snapshots.py; README.md, Live updates):
// `packed` is `{kind: [object, ...]}` as JSON, deflated (zlib, RFC 1950) and base64 encoded,
// about a thirteenth of the JSON. Unpacking gives the message the page always read: `objects`
// in place of `packing` and `packed`, so state.js builds the same model from either.
// The browser's (and Node's) DecompressionStream does the inflating, which makes this async.

export const PACKING = "deflate+base64";

/** Whether `msg` is a snapshot whose objects still have to be unpacked. */
export function isPacked(msg) {
  return Boolean(msg) && msg.type === "snapshot" && typeof msg.packed === "string";
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toBase64(bytes) {
  let binary = "";
  const chunk = 0x8000; // String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

function through(bytes, transform) {
  return new Response(new Blob([bytes]).stream().pipeThrough(transform));
}

/** `{kind: [object, ...]}` from a snapshot's `packed`. */
export async function unpackObjects(packed) {
  return JSON.parse(await through(fromBase64(packed), new DecompressionStream("deflate")).text());
}

/** The inverse of unpackObjects (what the server sends), for tests and tools. */
export async function packObjects(objects) {
  const json = new TextEncoder().encode(JSON.stringify(objects));
  return toBase64(new Uint8Array(await through(json, new CompressionStream("deflate")).arrayBuffer()));
}

/** The snapshot with its objects unpacked; any other message as it is. */
export async function unpackSnapshot(msg) {
  if (!isPacked(msg)) return msg;
  const { packing, packed, ...rest } = msg;
  if (packing !== PACKING) throw new Error(`unknown snapshot packing ${String(packing).slice(0, 40)}`);
  return { ...rest, objects: await unpackObjects(packed) };
}
