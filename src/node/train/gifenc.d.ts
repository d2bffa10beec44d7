// The part of gifenc (no bundled types) that src/node/train/gif.ts uses.
declare module 'gifenc' {
  interface Encoder {
    writeFrame(
      index: Uint8Array,
      width: number,
      height: number,
      opts?: { palette?: number[][]; delay?: number; repeat?: number },
    ): void;
    finish(): void;
    bytes(): Uint8Array;
  }
  const gifenc: { GIFEncoder(opts?: { auto?: boolean }): Encoder };
  export default gifenc;
}
