/**
 * A small ONNX text classifier over rasd's hashed n-gram features, written and read without an
 * ONNX library: the protobuf wire format by hand (varints, length-delimited fields), only the
 * fields of onnx.proto that this graph needs (decision 0019). Pure, no I/O.
 *
 * The graph (opset 13): inputs `buckets` int64 [N, L] (a text's feature buckets, 0-padded) and
 * `values` float [N, L] (each feature's value, 0 for padding); `W` [dims, 3] and `b` [3] as
 * initializers;
 *   rows = Gather(W, buckets)                    [N, L, 3]
 *   logits = ReduceSum(rows · Unsqueeze(values, 2), axis 1) + b
 *   probabilities = Softmax(logits)              [N, 3]   (pro, anti, neutral)
 * which is multinomial logistic regression over hashed features. Any ONNX model with the same
 * inputs, an output `probabilities` [N, 3] and the metadata below can be run by rasd in its place
 * (a transformer exported with these inputs, say): the metadata says what rasd must feed it.
 *
 * Metadata (ModelProto.metadata_props): `rasd.features` = "stance-hashed-v1" (the features of
 * `features.ts`, value 1/√n per occurrence), `rasd.dims` (buckets, a power of two), `rasd.labels`
 * = "pro,anti,neutral", `rasd.languages` (comma-separated codes the model is for, e.g. "en").
 */

/** What rasd needs to know to feed an ONNX stance model. */
export interface OnnxStanceMetadata {
  readonly features: "stance-hashed-v1";
  readonly dims: number;
  readonly labels: readonly string[];
  readonly languages: readonly string[];
}

// --- writing ---------------------------------------------------------------------------------

class Writer {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(out));
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): void {
    this.tag(field, 0);
    this.varint(value);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.push(value);
  }

  string(field: number, value: string): void {
    this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: Writer) => void): void {
    const inner = new Writer();
    build(inner);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

const FLOAT = 1;
const INT64 = 7;

function tensor(w: Writer, name: string, dims: readonly number[], type: number, raw: Uint8Array): void {
  for (const d of dims) w.int(1, d); // dims
  w.int(2, type); // data_type
  w.string(8, name); // name
  w.bytes(9, raw); // raw_data (little-endian)
}

function valueInfo(w: Writer, name: string, type: number, shape: readonly (number | string)[]): void {
  w.string(1, name);
  w.message(2, (t) =>
    t.message(1, (tt) => {
      tt.int(1, type); // elem_type
      tt.message(2, (s) => {
        for (const d of shape) s.message(1, (dim) => (typeof d === "number" ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

function node(
  w: Writer,
  op: string,
  inputs: readonly string[],
  outputs: readonly string[],
  ints: Record<string, number> = {},
): void {
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, `${op}_${outputs[0]}`);
  w.string(4, op);
  for (const [name, value] of Object.entries(ints)) {
    w.message(5, (a) => {
      a.string(1, name);
      a.int(3, value);
      a.int(20, 2); // AttributeType INT
    });
  }
}

function littleEndian(values: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

/**
 * An ONNX model (bytes) of the graph above with weights `weights` (bucket-major, `weights[j * 3 + c]`,
 * as `StanceWeights.weights`) and `bias` (3).
 * @example writeOnnxStanceModel(weights, bias, { dims: 1024, languages: ["en"] })
 */
export function writeOnnxStanceModel(
  weights: Float32Array,
  bias: ArrayLike<number>,
  meta: { readonly dims: number; readonly languages: readonly string[]; readonly producer?: string },
): Uint8Array {
  const { dims } = meta;
  if (!Number.isInteger(dims) || dims <= 0 || (dims & (dims - 1)) !== 0) {
    throw new RangeError("writeOnnxStanceModel: dims must be a power of two");
  }
  if (weights.length !== dims * 3)
    throw new RangeError(`writeOnnxStanceModel: weights must hold dims × 3 = ${dims * 3}`);
  if (bias.length !== 3) throw new RangeError("writeOnnxStanceModel: bias must hold 3 values");
  if (meta.languages.length === 0) throw new RangeError("writeOnnxStanceModel: name at least one language");
  const w = new Writer();
  w.int(1, 8); // ir_version
  w.string(2, meta.producer ?? "rasd");
  w.message(7, (g) => {
    const nodes: [string, string[], string, Record<string, number>?][] = [
      ["Gather", ["W", "buckets"], "rows"],
      ["Unsqueeze", ["values", "axis2"], "values3"],
      ["Mul", ["rows", "values3"], "weighted"],
      ["ReduceSum", ["weighted", "axis1"], "summed", { keepdims: 0 }],
      ["Add", ["summed", "b"], "logits"],
      ["Softmax", ["logits"], "probabilities"],
    ];
    for (const [op, inputs, output, ints] of nodes) g.message(1, (n) => node(n, op, inputs, [output], ints));
    g.string(2, "rasd-stance-hashed-logistic");
    g.message(5, (t) => tensor(t, "W", [dims, 3], FLOAT, littleEndian(Float32Array.from(weights))));
    g.message(5, (t) => tensor(t, "b", [3], FLOAT, littleEndian(Float32Array.from(bias))));
    g.message(5, (t) => tensor(t, "axis1", [1], INT64, littleEndian(BigInt64Array.of(1n))));
    g.message(5, (t) => tensor(t, "axis2", [1], INT64, littleEndian(BigInt64Array.of(2n))));
    g.message(11, (v) => valueInfo(v, "buckets", INT64, ["N", "L"]));
    g.message(11, (v) => valueInfo(v, "values", FLOAT, ["N", "L"]));
    g.message(12, (v) => valueInfo(v, "probabilities", FLOAT, ["N", 3]));
  });
  w.message(8, (o) => {
    o.string(1, "");
    o.int(2, 13);
  });
  const props: [string, string][] = [
    ["rasd.features", "stance-hashed-v1"],
    ["rasd.dims", String(dims)],
    ["rasd.labels", "pro,anti,neutral"],
    ["rasd.languages", meta.languages.join(",")],
  ];
  for (const [key, value] of props) {
    w.message(14, (p) => {
      p.string(1, key);
      p.string(2, value);
    });
  }
  return w.finish();
}

// --- reading the metadata ----------------------------------------------------------------------

/** The fields of one protobuf message: field number → raw values (varints as bigint, bytes as views). */
function fields(bytes: Uint8Array): Map<number, (bigint | Uint8Array)[]> {
  const out = new Map<number, (bigint | Uint8Array)[]>();
  let at = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (at >= bytes.length) throw new RangeError("truncated varint");
      const b = bytes[at++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
      if (shift > 63n) throw new RangeError("varint too long");
    }
  };
  while (at < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    let value: bigint | Uint8Array;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = Number(varint());
      if (at + len > bytes.length) throw new RangeError("truncated field");
      value = bytes.subarray(at, at + len);
      at += len;
    } else if (wire === 1) {
      at += 8;
      continue;
    } else if (wire === 5) {
      at += 4;
      continue;
    } else throw new RangeError(`unsupported wire type ${wire}`);
    if (at > bytes.length) throw new RangeError("truncated field");
    const list = out.get(field) ?? [];
    list.push(value);
    out.set(field, list);
  }
  return out;
}

/**
 * The rasd metadata of an ONNX model's bytes, checked. Throws a RangeError naming what is wrong
 * (not ONNX, no rasd metadata, unknown features, bad dims or labels).
 */
export function readOnnxStanceMetadata(bytes: Uint8Array): OnnxStanceMetadata {
  let top: Map<number, (bigint | Uint8Array)[]>;
  try {
    top = fields(bytes);
  } catch (error) {
    throw new RangeError(`not an ONNX model: ${(error as Error).message}`, { cause: error });
  }
  if (!top.has(7)) throw new RangeError("not an ONNX model: no graph");
  const props = new Map<string, string>();
  const decoder = new TextDecoder();
  for (const entry of top.get(14) ?? []) {
    if (!(entry instanceof Uint8Array)) continue;
    const f = fields(entry);
    const key = f.get(1)?.[0];
    const value = f.get(2)?.[0];
    if (key instanceof Uint8Array)
      props.set(decoder.decode(key), value instanceof Uint8Array ? decoder.decode(value) : "");
  }
  const features = props.get("rasd.features");
  if (features === undefined) throw new RangeError("the ONNX model has no rasd.features metadata");
  if (features !== "stance-hashed-v1") throw new RangeError(`rasd.features "${features}" is not stance-hashed-v1`);
  const dims = Number(props.get("rasd.dims"));
  if (!Number.isInteger(dims) || dims <= 0 || (dims & (dims - 1)) !== 0) {
    throw new RangeError(`rasd.dims "${props.get("rasd.dims")}" is not a power of two`);
  }
  const labels = (props.get("rasd.labels") ?? "").split(",");
  if (labels.join(",") !== "pro,anti,neutral") {
    throw new RangeError(`rasd.labels "${props.get("rasd.labels")}" is not pro,anti,neutral`);
  }
  const languages = (props.get("rasd.languages") ?? "").split(",").filter((x) => x.length > 0);
  if (languages.length === 0) throw new RangeError("rasd.languages names no language");
  return { features, dims, labels, languages };
}
