/**
 * JSON with typed arrays stored as base64 of their bytes, `{ "f32": "…" }` (Float64Array: `f64`, Int32Array:
 * `i32`; checkpoints hold weights, Adam moments and replay buffers). Browser-safe: `btoa`/`atob`, which Node has too; the bytes are the platform's
 * (little-endian on every target here), as Node's `Buffer` wrote them before, so older files decode the same.
 */

/** Bytes per `String.fromCharCode` call (its argument list has a limit). */
const CHUNK = 0x8000;

/** The typed arrays stored, by the tag of their JSON object. */
const KINDS = { f32: Float32Array, f64: Float64Array, i32: Int32Array } as const;
type Tag = keyof typeof KINDS;

function toBase64(v: ArrayBufferView): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(bin);
}

function fromBase64(text: string, tag: Tag): Float32Array | Float64Array | Int32Array {
  const bin = atob(text);
  const width = KINDS[tag].BYTES_PER_ELEMENT;
  if (bin.length % width !== 0)
    throw new RangeError(`decodeF32Json: an ${tag} field holds ${bin.length} bytes, allowed: a multiple of ${width}`);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new KINDS[tag](bytes.buffer);
}

function tagOf(v: unknown): Tag | null {
  for (const tag of Object.keys(KINDS) as Tag[]) if (v instanceof KINDS[tag]) return tag;
  return null;
}

/** JSON with typed arrays (Float32Array, Float64Array, Int32Array) stored exactly, for checkpoints. */
export function encodeF32Json(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    const tag = tagOf(v);
    return tag === null ? v : { [tag]: toBase64(v as ArrayBufferView) };
  });
}

/** Parses JSON written by `encodeF32Json`, restoring its typed arrays. */
export function decodeF32Json<T>(text: string): T {
  return JSON.parse(text, (_k, v) => {
    if (!v || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    const tag = keys.length === 1 && Object.hasOwn(KINDS, keys[0]) ? (keys[0] as Tag) : null;
    return tag !== null && typeof v[tag] === 'string' ? fromBase64(v[tag], tag) : v;
  }) as T;
}
