/** JSON with Float32Arrays stored as base64 (checkpoints hold weights and replay buffers). */
export function encodeF32Json(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v instanceof Float32Array ? { f32: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') } : v));
}

export function decodeF32Json<T>(text: string): T {
  return JSON.parse(text, (_k, v) => {
    if (v && typeof v === 'object' && typeof v.f32 === 'string') {
      const bytes = Buffer.from(v.f32, 'base64');
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
    return v;
  }) as T;
}
