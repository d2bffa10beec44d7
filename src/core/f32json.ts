/**
 * JSON with Float32Arrays stored as base64 of their bytes, `{ "f32": "…" }` (checkpoints hold weights, Adam
 * moments and replay buffers). Browser-safe: `btoa`/`atob`, which Node has too; the bytes are the platform's
 * (little-endian on every target here), as Node's `Buffer` wrote them before, so older files decode the same.
 */

/** Bytes per `String.fromCharCode` call (its argument list has a limit). */
const CHUNK = 0x8000;

function toBase64(v: Float32Array): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(bin);
}

function fromBase64(text: string): Float32Array {
  const bin = atob(text);
  if (bin.length % 4 !== 0)
    throw new RangeError(`decodeF32Json: an f32 field holds ${bin.length} bytes, allowed: a multiple of 4`);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

export function encodeF32Json(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v instanceof Float32Array ? { f32: toBase64(v) } : v));
}

export function decodeF32Json<T>(text: string): T {
  return JSON.parse(text, (_k, v) =>
    v && typeof v === 'object' && typeof v.f32 === 'string' ? fromBase64(v.f32) : v,
  ) as T;
}
