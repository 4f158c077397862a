/**
 * The WebAssembly SIMD build of PDQ's downsample and DCT (source: wasm/pdq.ts, compiled by
 * `npm run build` into dist/wasm/pdq.wasm). Same bits as the TypeScript kernel, about four
 * times faster; used for 8-bit pixels at their own size (video frames, most images).
 *
 * `RASD_PDQ_KERNEL=js` forces the TypeScript kernel, `=simd` requires this one (an error if
 * the module is missing); by default it is used when it loads.
 */

import { readFileSync } from "node:fs";
import { DCT_MATRIX } from "./dct.js";
import type { Pixels } from "./luma.js";

// The few WebAssembly globals used here (Node 20's type definitions do not declare them).
type WasmModule = object;
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
};

interface Exports {
  readonly memory: { readonly buffer: ArrayBuffer };
  dctMatrix(): number;
  dctMatrixWritten(): void;
  prepare(rows: number, cols: number, channels: number, grey: number): number;
  run(): void;
  out64(): number;
  dct16(): number;
}

/** Where the build puts the module: <root>/dist/wasm, from src/kernels/pdq or dist/kernels/pdq. */
const MODULE_URL = new URL("../../../dist/wasm/pdq.wasm", import.meta.url);

let compiled: WasmModule | null | undefined;

function compiledModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  const wanted = process.env.RASD_PDQ_KERNEL ?? "auto";
  if (wanted === "js") return (compiled = null);
  try {
    compiled = new WebAssembly.Module(readFileSync(MODULE_URL));
  } catch (err) {
    if (wanted === "simd") {
      throw new Error(`PDQ: the SIMD kernel (${MODULE_URL.pathname}) did not load`, { cause: err });
    }
    compiled = null;
  }
  return compiled;
}

/**
 * WebAssembly memory only grows; after an image whose buffers needed more than this, the
 * instance is replaced by a fresh one, so a long-lived worker does not keep a very large
 * image's memory.
 */
const KEEP_MEMORY_BYTES = 64 * 1024 * 1024;

/** One instance with its own memory: not shareable between threads. */
export class SimdPdq {
  private x: Exports;

  private constructor(private readonly module: WasmModule) {
    this.x = SimdPdq.instantiate(module);
  }

  private static instantiate(module: WasmModule): Exports {
    const x = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
    new Float32Array(x.memory.buffer, x.dctMatrix(), DCT_MATRIX.length).set(DCT_MATRIX);
    x.dctMatrixWritten();
    return x;
  }

  /** A new instance, or null when the module is unavailable (or RASD_PDQ_KERNEL=js). */
  static create(): SimdPdq | null {
    const module = compiledModule();
    return module ? new SimdPdq(module) : null;
  }

  /** True for pixels this kernel takes: 1, 3 or 4 channels, at their own size. */
  static accepts(px: Pixels): boolean {
    return px.channels === 1 || px.channels === 3 || px.channels === 4;
  }

  /** Bytes of WebAssembly memory this instance holds now. */
  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /**
   * Downsamples and transforms the pixels (luma: the first channel when `grey`): the
   * 64x64 buffer into `buffer64`, the 16x16 DCT into `dct16`.
   */
  run(px: Pixels, grey: boolean, buffer64: Float64Array, dct16: Float64Array): void {
    const { width, height, channels } = px;
    const bytes = width * height * channels;
    const at = this.x.prepare(height, width, channels, grey ? 1 : 0);
    // The memory may have grown (a new ArrayBuffer): views are made after prepare().
    const memory = this.x.memory.buffer;
    new Uint8Array(memory, at, bytes).set(px.data.length === bytes ? px.data : px.data.subarray(0, bytes));
    this.x.run();
    buffer64.set(new Float32Array(memory, this.x.out64(), 64 * 64));
    dct16.set(new Float32Array(memory, this.x.dct16(), 256));
    if (memory.byteLength > KEEP_MEMORY_BYTES) this.x = SimdPdq.instantiate(this.module);
  }
}
