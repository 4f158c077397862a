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
 * True class shares from predicted-label counts and misclassification rates. Observed
 * counts with no items give undefined (nothing to estimate).
 */
export function adjustedShares(
  observed: readonly number[],
  rates: readonly (readonly number[])[],
): number[] | undefined {
  const n = observed.reduce((a, b) => a + b, 0);
  if (n <= 0) return undefined;
  const q = observed.map((c) => c / n);
  const k = q.length;
  const rt = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => rates[j]![i]!));
  const exact = solve(
    rt.map((r) => [...r]),
    [...q],
  );
  if (exact && exact.every((x) => x >= -1e-12)) return projectToSimplex(exact);
  // Outside the simplex (sampling noise, or a weak classifier): projected gradient descent on
  // ‖Rᵀp − q‖², from the projection of the unadjusted shares. Step 1/L with L ≥ 2‖R‖².
  let p = projectToSimplex(exact ?? q);
  let lipschitz = 0;
  for (const row of rt) for (const x of row) lipschitz += x * x;
  const step = 1 / (2 * Math.max(lipschitz, 1e-9));
  for (let iter = 0; iter < 2000; iter++) {
    const residual = rt.map((row, i) => row.reduce((s, x, j) => s + x * p[j]!, 0) - q[i]!);
    const gradient = Array.from({ length: k }, (_, j) => 2 * rt.reduce((s, row, i) => s + row[j]! * residual[i]!, 0));
    const next = projectToSimplex(p.map((x, j) => x - step * gradient[j]!));
    const moved = next.reduce((s, x, j) => s + Math.abs(x - p[j]!), 0);
    p = next;
    if (moved < 1e-12) break;
  }
  return p;
}
