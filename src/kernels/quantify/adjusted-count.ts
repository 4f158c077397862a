/**
 * Adjusted classify-and-count (Forman 2008), generalised to several classes: a classifier's
 * raw counts are biased whenever its errors are not symmetric, so the observed shares q of
 * predicted labels are modelled as q = Rᵀp, where R[i][j] is the rate at which items of
 * true class i are predicted as j (measured on labelled validation data) and p the true
 * shares. p is the point of the probability simplex that best explains q (least squares),
 * which is the exact solution of Rᵀp = q whenever that solution is a valid distribution.
 */

/** Rows (true class) normalised to rates; a class never seen in validation is taken as predicted right. */
export function misclassificationRates(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((c, j) => (total > 0 ? c / total : i === j ? 1 : 0));
  });
}

/** Solves A x = b by Gaussian elimination with partial pivoting; undefined if singular. */
function solve(a: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12) return undefined;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** Euclidean projection onto the probability simplex (Duchi et al. 2008). */
export function projectToSimplex(v: readonly number[]): number[] {
  const u = [...v].sort((a, b) => b - a);
  let cumulative = 0;
  let theta = 0;
  for (let i = 0; i < u.length; i++) {
    cumulative += u[i]!;
    const t = (cumulative - 1) / (i + 1);
    if (u[i]! - t > 0) theta = t;
  }
  return v.map((x) => Math.max(0, x - theta));
}

/**
 * The least-squares point of the simplex: min ‖Bx − q‖² subject to x ≥ 0 and Σx = 1. The
 * optimum lies on some face (a set S of classes with x > 0), where it is the equality-
 * constrained optimum; with a handful of classes every face can be tried (2^k − 1 small KKT
 * systems) and the best feasible one kept — exact, and fast enough for thousands of
 * bootstrap replicates.
 */
function simplexLeastSquares(b: readonly (readonly number[])[], q: readonly number[]): number[] {
  const k = q.length;
  let best: number[] | undefined;
  let bestResidual = Infinity;
  for (let mask = 1; mask < 1 << k; mask++) {
    const support: number[] = [];
    for (let j = 0; j < k; j++) if (mask & (1 << j)) support.push(j);
    const m = support.length;
    // KKT: [2BsᵀBs 1; 1ᵀ 0] [x; λ] = [2Bsᵀq; 1]
    const a: number[][] = [];
    const rhs: number[] = [];
    for (const i of support) {
      const row: number[] = [];
      for (const j of support) {
        let dot = 0;
        for (let r = 0; r < k; r++) dot += b[r]![i]! * b[r]![j]!;
        row.push(2 * dot);
      }
      row.push(1);
      a.push(row);
      let bq = 0;
      for (let r = 0; r < k; r++) bq += b[r]![i]! * q[r]!;
      rhs.push(2 * bq);
    }
    a.push([...new Array<number>(m).fill(1), 0]);
    rhs.push(1);
    const solved = solve(a, rhs);
    if (!solved) continue;
    const x = solved.slice(0, m);
    if (x.some((v) => v < -1e-12)) continue;
    const full = new Array<number>(k).fill(0);
    support.forEach((j, idx) => (full[j] = Math.max(0, x[idx]!)));
    let residual = 0;
    for (let r = 0; r < k; r++) {
      let fitted = 0;
      for (let j = 0; j < k; j++) fitted += b[r]![j]! * full[j]!;
      residual += (fitted - q[r]!) ** 2;
    }
    if (residual < bestResidual - 1e-15) {
      bestResidual = residual;
      best = full;
    }
  }
  return projectToSimplex(best ?? [...q]);
}

/**
 * One classifier's error rates, ready to adjust counts: Rᵀ and (when it exists) its inverse,
 * computed once, so adjusting a vector of counts is a matrix–vector product in the usual case.
 */
export class RateModel {
  readonly rt: readonly (readonly number[])[];
  private readonly inverse: number[][] | undefined;

  constructor(rates: readonly (readonly number[])[]) {
    const k = rates.length;
    this.rt = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => rates[j]![i]!));
    const columns: number[][] = [];
    for (let c = 0; c < k; c++) {
      const x = solve(
        this.rt.map((r) => [...r]),
        Array.from({ length: k }, (_, i) => (i === c ? 1 : 0)),
      );
      if (!x) break;
      columns.push(x);
    }
    this.inverse =
      columns.length === k ? Array.from({ length: k }, (_, i) => columns.map((col) => col[i]!)) : undefined;
  }

  /** True class shares from predicted-label counts; undefined with no items. */
  shares(observed: ArrayLike<number>): number[] | undefined {
    const k = this.rt.length;
    let n = 0;
    for (let i = 0; i < k; i++) n += observed[i]!;
    if (n <= 0) return undefined;
    const q = new Array<number>(k);
    for (let i = 0; i < k; i++) q[i] = observed[i]! / n;
    if (this.inverse) {
      const p = new Array<number>(k);
      let inside = true;
      for (let i = 0; i < k; i++) {
        let v = 0;
        const row = this.inverse[i]!;
        for (let j = 0; j < k; j++) v += row[j]! * q[j]!;
        p[i] = v;
        if (v < -1e-12) inside = false;
      }
      if (inside) return projectToSimplex(p);
    }
    // Outside the simplex (sampling noise, or a weak classifier): the closest distribution.
    return simplexLeastSquares(this.rt, q);
  }
}

/**
 * True class shares from predicted-label counts and misclassification rates. Observed
 * counts with no items give undefined (nothing to estimate).
 */
export function adjustedShares(
  observed: readonly number[],
  rates: readonly (readonly number[])[],
): number[] | undefined {
  return new RateModel(rates).shares(observed);
}
